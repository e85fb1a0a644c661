-- Issue 28: the company's identity as its documents print it («Paramètres › Entreprise»),
-- the client's type and identifiers, job-site addresses. docs/company.md, docs/legal.md.

-- The company. `siret`, `adresse`, `code_postal`, `ville`, `telephone`, `email` exist
-- (0004); identifiers are stored compact (digits, capitals), grouped when printed.
ALTER TABLE company ADD COLUMN forme_juridique TEXT NOT NULL DEFAULT '';
-- «Capital social» in cents (NULL: not given).
ALTER TABLE company ADD COLUMN capital_cents INTEGER;
ALTER TABLE company ADD COLUMN siren TEXT NOT NULL DEFAULT '';
-- «RCS», «RM» (with `registre_ville`) or «Dispensé d'immatriculation»: rcs | rm | dispense | ''
ALTER TABLE company ADD COLUMN registre TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN registre_ville TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN tva_intra TEXT NOT NULL DEFAULT '';
-- «Franchise en base de TVA» (art. 293 B du CGI): no VAT anywhere.
ALTER TABLE company ADD COLUMN franchise_tva BOOLEAN NOT NULL DEFAULT FALSE;
-- «TVA sur les débits»: the option printed on invoices.
ALTER TABLE company ADD COLUMN tva_debits BOOLEAN NOT NULL DEFAULT FALSE;
-- What the company's operations are: prestation | biens | mixte (the reform's category).
ALTER TABLE company ADD COLUMN categorie TEXT NOT NULL DEFAULT 'prestation';
ALTER TABLE company ADD COLUMN site_web TEXT NOT NULL DEFAULT '';
-- «Logo»: PNG or JPEG, checked when sent (files::image_kind), drawn on every document.
ALTER TABLE company ADD COLUMN logo BLOB;
ALTER TABLE company ADD COLUMN logo_mime TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN iban TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN bic TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN decennale_assureur TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN decennale_contrat TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN decennale_adresse TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN decennale_couverture TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN mediateur_nom TEXT NOT NULL DEFAULT '';
ALTER TABLE company ADD COLUMN mediateur_site TEXT NOT NULL DEFAULT '';
-- Default «Conditions de paiement»: days after the invoice, and the early-payment
-- discount's terms ('' : «Pas d'escompte pour paiement anticipé»).
ALTER TABLE company ADD COLUMN paiement_jours INTEGER NOT NULL DEFAULT 30;
ALTER TABLE company ADD COLUMN escompte TEXT NOT NULL DEFAULT '';
-- The demo company: its values are invented and its documents say so.
ALTER TABLE company ADD COLUMN is_demo BOOLEAN NOT NULL DEFAULT FALSE;

-- (Only while its demo users can still sign in: a start for real disables them.)
UPDATE company SET is_demo = TRUE
 WHERE EXISTS (SELECT 1 FROM app_user u WHERE u.company_id = company.id AND u.email LIKE '%@demo.ouvrage.fr' AND u.active = TRUE);
-- A real company never keeps the values the first start used to invent.
UPDATE company SET adresse = '', code_postal = '', ville = '', siret = '', telephone = '', email = ''
 WHERE is_demo = FALSE AND siret = '123 456 789 00012' AND email = 'contact@demo.ouvrage.fr';

-- The client: «Particulier» or «Professionnel», chosen on «Fiche contact». Existing
-- records take the old rule (a «Société» makes a professional) and are listed for review
-- (`type_a_verifier`) until someone saves their card.
ALTER TABLE contact ADD COLUMN type_client TEXT NOT NULL DEFAULT 'particulier';
ALTER TABLE contact ADD COLUMN type_a_verifier BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE contact ADD COLUMN siren TEXT NOT NULL DEFAULT '';
ALTER TABLE contact ADD COLUMN siret TEXT NOT NULL DEFAULT '';
ALTER TABLE contact ADD COLUMN tva_intra TEXT NOT NULL DEFAULT '';
-- «Doublon possible»: the same SIREN is one legal person.
CREATE INDEX contact_siren ON contact(company_id, siren) WHERE siren <> '';
UPDATE contact SET type_client = CASE WHEN societe <> '' THEN 'professionnel' ELSE 'particulier' END, type_a_verifier = TRUE;

-- «Adresses de chantier»: where the work is done (a document's performance address).
CREATE TABLE contact_site (
    id          INTEGER PRIMARY KEY,
    company_id  INTEGER NOT NULL REFERENCES company(id),
    contact_id  INTEGER NOT NULL REFERENCES contact(id),
    libelle     TEXT NOT NULL DEFAULT '',
    adresse     TEXT NOT NULL,
    code_postal TEXT NOT NULL DEFAULT '',
    ville       TEXT NOT NULL DEFAULT '',
    archived    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  INTEGER NOT NULL
);
CREATE INDEX contact_site_contact ON contact_site(company_id, contact_id);

-- A document's job site (NULL: the client's address), the date of the work when it
-- differs from the date of issue, sub-contracting with reverse charge, and the client's
-- certification for a reduced VAT rate confirmed by the person issuing.
ALTER TABLE document ADD COLUMN site_id INTEGER REFERENCES contact_site(id);
ALTER TABLE document ADD COLUMN work_date TEXT NOT NULL DEFAULT '';
ALTER TABLE document ADD COLUMN autoliquidation BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE document ADD COLUMN taux_reduit_confirme BOOLEAN NOT NULL DEFAULT FALSE;
-- The late-payment rate an issued invoice stated (basis points; -1: the legal default, ECB
-- + 10 points; NULL: issued before rates were kept, the company's current rate applies).
-- Its reminders charge it, whatever the settings say later.
ALTER TABLE document ADD COLUMN penalty_rate_bp INTEGER;

-- A line's unit (UN/ECE rec. 20 by its French label): u, m, m², m³, ml, kg, h, forfait.
ALTER TABLE document_line ADD COLUMN unit TEXT NOT NULL DEFAULT 'u';
