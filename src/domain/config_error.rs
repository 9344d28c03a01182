//! A configuration problem: the word every layer's settings use to refuse a value.

/// A configuration problem, printed as-is before Euterpe exits.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);
