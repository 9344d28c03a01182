-- Listeners who let the other listeners of this Euterpe compare their taste with theirs: a row
-- while the setting is on, deleted when it is turned off. public_id is the opaque id of their
-- comparison page, new each time the setting is turned on, so an old link never works again.
CREATE TABLE compare_optins (
    user_id    UUID PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    public_id  TEXT NOT NULL UNIQUE,
    shown_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
