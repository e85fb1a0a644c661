-- Revisions of what the client «Accueil»'s widgets list (docs/client-home.md, «Widget
-- cache»): a server keeps a widget's HTML for the revision it was drawn at and draws it
-- again once the revision has moved. Triggers bump them on every write, whatever wrote (a
-- form, an import, a merge, the reminder planner, another server), in the writer's
-- transaction. Per client: its SAV, services, answers, actions, documents and reminder
-- letters. Per company: its questions and action types (a label, a pin or a retirement
-- changes every client's widget).
ALTER TABLE contact ADD COLUMN home_rev INTEGER NOT NULL DEFAULT 0;
ALTER TABLE company ADD COLUMN home_rev INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER sav_home_rev_insert AFTER INSERT ON sav
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = NEW.company_id AND id = NEW.contact_id; END;
CREATE TRIGGER sav_home_rev_update AFTER UPDATE ON sav
BEGIN UPDATE contact SET home_rev = home_rev + 1
    WHERE (company_id = OLD.company_id AND id = OLD.contact_id) OR (company_id = NEW.company_id AND id = NEW.contact_id); END;
CREATE TRIGGER sav_home_rev_delete AFTER DELETE ON sav
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = OLD.company_id AND id = OLD.contact_id; END;

CREATE TRIGGER service_home_rev_insert AFTER INSERT ON service
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = NEW.company_id AND id = NEW.contact_id; END;
CREATE TRIGGER service_home_rev_update AFTER UPDATE ON service
BEGIN UPDATE contact SET home_rev = home_rev + 1
    WHERE (company_id = OLD.company_id AND id = OLD.contact_id) OR (company_id = NEW.company_id AND id = NEW.contact_id); END;
CREATE TRIGGER service_home_rev_delete AFTER DELETE ON service
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = OLD.company_id AND id = OLD.contact_id; END;

CREATE TRIGGER answer_home_rev_insert AFTER INSERT ON answer
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = NEW.company_id AND id = NEW.contact_id; END;
CREATE TRIGGER answer_home_rev_update AFTER UPDATE ON answer
BEGIN UPDATE contact SET home_rev = home_rev + 1
    WHERE (company_id = OLD.company_id AND id = OLD.contact_id) OR (company_id = NEW.company_id AND id = NEW.contact_id); END;
CREATE TRIGGER answer_home_rev_delete AFTER DELETE ON answer
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = OLD.company_id AND id = OLD.contact_id; END;

CREATE TRIGGER action_home_rev_insert AFTER INSERT ON action
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = NEW.company_id AND id = NEW.contact_id; END;
CREATE TRIGGER action_home_rev_update AFTER UPDATE ON action
BEGIN UPDATE contact SET home_rev = home_rev + 1
    WHERE (company_id = OLD.company_id AND id = OLD.contact_id) OR (company_id = NEW.company_id AND id = NEW.contact_id); END;
CREATE TRIGGER action_home_rev_delete AFTER DELETE ON action
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = OLD.company_id AND id = OLD.contact_id; END;

CREATE TRIGGER document_home_rev_insert AFTER INSERT ON document
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = NEW.company_id AND id = NEW.contact_id; END;
CREATE TRIGGER document_home_rev_update AFTER UPDATE ON document
BEGIN UPDATE contact SET home_rev = home_rev + 1
    WHERE (company_id = OLD.company_id AND id = OLD.contact_id) OR (company_id = NEW.company_id AND id = NEW.contact_id); END;
CREATE TRIGGER document_home_rev_delete AFTER DELETE ON document
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = OLD.company_id AND id = OLD.contact_id; END;

CREATE TRIGGER reminder_letter_home_rev_insert AFTER INSERT ON reminder_letter
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = NEW.company_id AND id = NEW.contact_id; END;
CREATE TRIGGER reminder_letter_home_rev_update AFTER UPDATE ON reminder_letter
BEGIN UPDATE contact SET home_rev = home_rev + 1
    WHERE (company_id = OLD.company_id AND id = OLD.contact_id) OR (company_id = NEW.company_id AND id = NEW.contact_id); END;
CREATE TRIGGER reminder_letter_home_rev_delete AFTER DELETE ON reminder_letter
BEGIN UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = OLD.company_id AND id = OLD.contact_id; END;

CREATE TRIGGER question_home_rev_insert AFTER INSERT ON question
BEGIN UPDATE company SET home_rev = home_rev + 1 WHERE id = NEW.company_id; END;
CREATE TRIGGER question_home_rev_update AFTER UPDATE ON question
BEGIN UPDATE company SET home_rev = home_rev + 1 WHERE id IN (OLD.company_id, NEW.company_id); END;
CREATE TRIGGER question_home_rev_delete AFTER DELETE ON question
BEGIN UPDATE company SET home_rev = home_rev + 1 WHERE id = OLD.company_id; END;

CREATE TRIGGER action_type_home_rev_insert AFTER INSERT ON action_type
BEGIN UPDATE company SET home_rev = home_rev + 1 WHERE id = NEW.company_id; END;
CREATE TRIGGER action_type_home_rev_update AFTER UPDATE ON action_type
BEGIN UPDATE company SET home_rev = home_rev + 1 WHERE id IN (OLD.company_id, NEW.company_id); END;
CREATE TRIGGER action_type_home_rev_delete AFTER DELETE ON action_type
BEGIN UPDATE company SET home_rev = home_rev + 1 WHERE id = OLD.company_id; END;
