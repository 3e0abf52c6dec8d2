-- The dealership's inventory feed (`keepwarm inventory import`): one row per lookup key of a vehicle
-- (`vin:…`, `stock:…`), replaced whole by each import. A message may say a vehicle "is here" only
-- when the lead's vehicle is in it as available.
CREATE TABLE inventory (
    dealership TEXT NOT NULL,
    key TEXT NOT NULL,
    available INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (dealership, key)
);
