-- Issuance's final write locks "the card's other certificates of this profile" (one active
-- certificate per profile per card). With only certificate_by_card (card_number) that locking
-- read also locked the card's certificate of the *other* profile, which the same card's
-- concurrent issuance of that profile had just updated: the two deadlocked (the issuance
-- benchmark issues both profiles of a card at once). This index confines the read to the rows it
-- selects; it replaces certificate_by_card, of which it is a superset for look-ups by card.
CREATE INDEX certificate_by_card_profile ON certificate (card_number, ca_name, profile);
DROP INDEX certificate_by_card ON certificate;
