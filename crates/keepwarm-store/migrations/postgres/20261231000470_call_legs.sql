-- How far each leg of a call has got (issue 13): the furthest stage a provider's status callbacks
-- reached (0 queued, 1 initiated, 2 ringing, 3 in progress, 4 ended; NULL while only words this
-- version does not know were seen). A callback moves it on in one conditional statement, so two
-- callbacks for the same call arriving at once cannot both apply, and a late one never moves the
-- call backwards.
CREATE TABLE call_legs (
    call_sid text   NOT NULL,
    leg      text   NOT NULL,
    lead_id  bigint NOT NULL,
    reached  integer,
    PRIMARY KEY (call_sid, leg)
);
