//! «Paramètres › Entreprise».

use leptos::prelude::*;
use leptos_meta::Title;

use crate::company::api::{SaveIdentity, get_identity};
use crate::company::model::{CATEGORIES, IdentityForm, LOGO_MAX_BYTES, REGISTRES};
use crate::ui::{Field, FormAlert, Notice, SelectField, form_error, load, path, query_param};

const FIELDS: &[&str] = &[
    "raison_sociale",
    "forme_juridique",
    "capital_social",
    "siren",
    "siret",
    "registre",
    "registre_ville",
    "tva_intra",
    "categorie",
    "adresse",
    "code_postal",
    "ville",
    "telephone",
    "email",
    "site_web",
    "iban",
    "bic",
    "decennale_assureur",
    "decennale_contrat",
    "decennale_adresse",
    "decennale_couverture",
    "mediateur_nom",
    "mediateur_site",
    "paiement_jours",
    "escompte_conditions",
    "penalites_taux",
];

#[component]
pub fn CompanyPage() -> impl IntoView {
    let error = form_error(path::<SaveIdentity>());
    let done = query_param("modifie").is_some();
    let logo_error = crate::ui::signed_message("erreur");
    view! {
        <Title text="Entreprise — Ouvrage" />
        <h1>"Entreprise"</h1>
        {done.then(|| view! { <Notice text="Enregistré." /> })}
        {load(get_identity, move |i| {
            let f = IdentityForm::of(&i);
            let e = error.clone();
            let franchise = f.franchise_tva.is_some();
            let debits = f.tva_debits.is_some();
            let escompte = f.escompte == "oui";
            view! {
                {i.is_demo.then(|| view! { <p class="notice" role="status">"Entreprise de démonstration : ses valeurs sont inventées et ses documents le disent."</p> })}
                <form method="post" action={path::<SaveIdentity>()} class="card wide" aria-label="Identité de l'entreprise">
                    <FormAlert error=e.clone() fields=FIELDS />
                    <h2>"Identité"</h2>
                    <Field name="raison_sociale" label="Raison sociale" value=f.raison_sociale.clone() error=e.clone() required=true />
                    <div class="row">
                        <Field name="forme_juridique" label="Forme juridique" value=f.forme_juridique.clone() error=e.clone() hint="SARL, SAS, EURL, EI…" />
                        <Field name="capital_social" label="Capital social" value=f.capital_social.clone() error=e.clone() hint="En euros" />
                    </div>
                    <div class="row">
                        <Field name="siren" label="SIREN" value=f.siren.clone() error=e.clone() />
                        <Field name="siret" label="SIRET" value=f.siret.clone() error=e.clone() />
                    </div>
                    <div class="row">
                        <SelectField name="registre" label="Immatriculation" options=std::iter::once(("", "—")).chain(REGISTRES).collect() value=f.registre.clone() error=e.clone() />
                        <Field name="registre_ville" label="Ville d'immatriculation" value=f.registre_ville.clone() error=e.clone() hint="Greffe du RCS ou chambre des métiers" />
                    </div>
                    <h2>"TVA"</h2>
                    <Field name="tva_intra" label="N° TVA intracommunautaire" value=f.tva_intra.clone() error=e.clone() hint="FR, la clé, puis le SIREN" />
                    <div class="check"><input type="checkbox" id="franchise_tva" name="franchise_tva" value="on" checked=franchise /><label for="franchise_tva">"Franchise en base de TVA"</label></div>
                    <p class="hint">"Les documents portent alors « TVA non applicable, art. 293 B du CGI » et aucune TVA."</p>
                    <div class="check"><input type="checkbox" id="tva_debits" name="tva_debits" value="on" checked=debits /><label for="tva_debits">"TVA sur les débits"</label></div>
                    <SelectField name="categorie" label="Catégorie des opérations" options=CATEGORIES.to_vec() value=f.categorie.clone() error=e.clone() />
                    <h2>"Coordonnées"</h2>
                    <Field name="adresse" label="Adresse du siège" value=f.adresse.clone() error=e.clone() />
                    <div class="row">
                        <Field name="code_postal" label="Code postal" value=f.code_postal.clone() error=e.clone() />
                        <Field name="ville" label="Ville" value=f.ville.clone() error=e.clone() />
                    </div>
                    <div class="row">
                        <Field name="telephone" label="Téléphone" kind="tel" value=f.telephone.clone() error=e.clone() />
                        <Field name="email" label="E-mail" kind="email" value=f.email.clone() error=e.clone() />
                    </div>
                    <Field name="site_web" label="Site internet" value=f.site_web.clone() error=e.clone() />
                    <h2>"Banque"</h2>
                    <div class="row">
                        <Field name="iban" label="IBAN" value=f.iban.clone() error=e.clone() />
                        <Field name="bic" label="BIC" value=f.bic.clone() error=e.clone() />
                    </div>
                    <h2>"Assurance décennale"</h2>
                    <div class="row">
                        <Field name="decennale_assureur" label="Assureur" value=f.decennale_assureur.clone() error=e.clone() />
                        <Field name="decennale_contrat" label="N° de contrat" value=f.decennale_contrat.clone() error=e.clone() />
                    </div>
                    <Field name="decennale_adresse" label="Adresse de l'assureur" value=f.decennale_adresse.clone() error=e.clone() />
                    <Field name="decennale_couverture" label="Couverture géographique" value=f.decennale_couverture.clone() error=e.clone() hint="Par exemple « France métropolitaine »" />
                    <h2>"Médiateur de la consommation"</h2>
                    <div class="row">
                        <Field name="mediateur_nom" label="Médiateur de la consommation" value=f.mediateur_nom.clone() error=e.clone() />
                        <Field name="mediateur_site" label="Site du médiateur" value=f.mediateur_site.clone() error=e.clone() />
                    </div>
                    <h2>"Conditions de paiement"</h2>
                    <Field name="paiement_jours" label="Conditions de paiement (jours après la facture)" kind="number" value=f.paiement_jours.clone() error=e.clone() />
                    <fieldset>
                        <legend>"Escompte"</legend>
                        <div class="check"><input type="radio" id="escompte_non" name="escompte" value="non" checked=!escompte /><label for="escompte_non">"Pas d'escompte"</label></div>
                        <div class="check"><input type="radio" id="escompte_oui" name="escompte" value="oui" checked=escompte /><label for="escompte_oui">"Escompte pour paiement anticipé"</label></div>
                        <Field name="escompte_conditions" label="Conditions de l'escompte" value=f.escompte_conditions.clone() error=e.clone() hint="Par exemple « 2 % pour un paiement sous 8 jours »" />
                    </fieldset>
                    <Field name="penalites_taux" label="Taux des pénalités de retard" value=f.penalites_taux.clone() error=e.clone() hint="En % l'an ; vide : taux de la BCE majoré de 10 points. Les relances appliquent le même." />
                    <button type="submit">"Enregistrer"</button>
                </form>
                <form method="post" enctype="multipart/form-data" action="/parametres/entreprise/logo" class="card wide" aria-label="Logo">
                    <h2>"Logo"</h2>
                    {logo_error.clone().map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
                    {i.has_logo.then(|| view! { <p><img src="/entreprise/logo" alt="Logo actuel" height="60" /></p> })}
                    <div class="field">
                        <label for="f-logo">{format!("Logo (PNG ou JPEG, {} Ko au plus)", LOGO_MAX_BYTES / 1024)}</label>
                        <input id="f-logo" type="file" name="fichier" accept="image/png,image/jpeg" required />
                    </div>
                    <button type="submit">"Envoyer le logo"</button>
                </form>
            }
        })}
    }
}
