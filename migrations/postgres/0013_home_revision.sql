-- Revisions of what the client «Accueil»'s widgets list (docs/client-home.md, «Widget
-- cache»): a server keeps a widget's HTML for the revision it was drawn at and draws it
-- again once the revision has moved. Triggers bump them on every write, whatever wrote (a
-- form, an import, a merge, the reminder planner, another server), in the writer's
-- transaction. Per client: its SAV, services, answers, actions, documents and reminder
-- letters. Per company: its questions and action types (a label, a pin or a retirement
-- changes every client's widget).
ALTER TABLE contact ADD COLUMN home_rev BIGINT NOT NULL DEFAULT 0;
ALTER TABLE company ADD COLUMN home_rev BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_contact_home_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = OLD.company_id AND id = OLD.contact_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (NEW.company_id, NEW.contact_id) <> (OLD.company_id, OLD.contact_id)) THEN
        UPDATE contact SET home_rev = home_rev + 1 WHERE company_id = NEW.company_id AND id = NEW.contact_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION bump_company_home_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE company SET home_rev = home_rev + 1 WHERE id = OLD.company_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.company_id <> OLD.company_id) THEN
        UPDATE company SET home_rev = home_rev + 1 WHERE id = NEW.company_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER sav_home_rev AFTER INSERT OR UPDATE OR DELETE ON sav FOR EACH ROW EXECUTE FUNCTION bump_contact_home_rev();
CREATE TRIGGER service_home_rev AFTER INSERT OR UPDATE OR DELETE ON service FOR EACH ROW EXECUTE FUNCTION bump_contact_home_rev();
CREATE TRIGGER answer_home_rev AFTER INSERT OR UPDATE OR DELETE ON answer FOR EACH ROW EXECUTE FUNCTION bump_contact_home_rev();
CREATE TRIGGER action_home_rev AFTER INSERT OR UPDATE OR DELETE ON action FOR EACH ROW EXECUTE FUNCTION bump_contact_home_rev();
CREATE TRIGGER document_home_rev AFTER INSERT OR UPDATE OR DELETE ON document FOR EACH ROW EXECUTE FUNCTION bump_contact_home_rev();
CREATE TRIGGER reminder_letter_home_rev AFTER INSERT OR UPDATE OR DELETE ON reminder_letter FOR EACH ROW EXECUTE FUNCTION bump_contact_home_rev();

CREATE TRIGGER question_home_rev AFTER INSERT OR UPDATE OR DELETE ON question FOR EACH ROW EXECUTE FUNCTION bump_company_home_rev();
CREATE TRIGGER action_type_home_rev AFTER INSERT OR UPDATE OR DELETE ON action_type FOR EACH ROW EXECUTE FUNCTION bump_company_home_rev();
