-- A contact's phones in their order straight from the index: the search's hits and
-- «Identité et contact» read the first phone, or all in order, without sorting them
-- (SQLite sorted each contact's phones in a temporary b-tree, per hit). Same leading
-- column as the index it replaces, so look-ups by contact keep it.
DROP INDEX contact_phone_contact;
CREATE INDEX contact_phone_contact ON contact_phone(contact_id, position);
