//! The queue's pure parts: backoff and the stages' lanes.

use super::*;

#[test]
fn backoff_doubles_up_to_ten_minutes() {
    assert_eq!(backoff(1), 5);
    assert_eq!(backoff(2), 10);
    assert_eq!(backoff(4), 40);
    assert_eq!(backoff(20), 600);
    assert_eq!(backoff(0), 5);
}

#[test]
fn every_stage_has_a_lane_and_a_name() {
    for stage in Stage::ALL {
        assert_eq!(Stage::parse(stage.as_str()), Some(stage));
        assert!(stages_of(stage.service()).contains(&stage));
    }
}
