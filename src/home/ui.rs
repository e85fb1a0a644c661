use leptos::prelude::*;
use leptos_meta::Title;

use crate::auth::Right;
use crate::auth::ui::signed_in;
use crate::ui::load;

#[component]
pub fn Dashboard() -> impl IntoView {
    view! {
        <Title text="Tableau de bord — Ouvrage" />
        {signed_in(|me| {
            let can_remind = me.can(Right::Reminders);
            view! {
                <h1>"Tableau de bord"</h1>
                <p>"Bonjour " {me.name.clone()} " — " {me.company_name.clone()}</p>
                {load(|| crate::home::api::get_layout("tableau".to_string()), move |layout| crate::home::widgets::dashboard_widgets(layout, can_remind))}
            }
        })}
    }
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    view! {
        <Title text="Paramètres — Ouvrage" />
        <h1>"Paramètres"</h1>
        {signed_in(|me| view! {
            <ul class="menu">
                {me.can(Right::Users).then(|| view! { <li><a href="/parametres/utilisateurs">"Utilisateurs"</a></li> })}
                {me.can(Right::Settings).then(|| view! { <li><a href="/parametres/entreprise">"Entreprise"</a></li> })}
                {me.can(Right::Settings).then(|| view! { <li><a href="/parametres/facturation-electronique">"Facturation électronique"</a></li> })}
                {me.can(Right::Settings).then(|| view! { <li><a href="/parametres/actions">"Actions"</a></li> })}
                {me.can(Right::Settings).then(|| view! { <li><a href="/parametres/questions">"Questions complémentaires"</a></li> })}
                {me.can(Right::Settings).then(|| view! { <li><a href="/parametres/relances">"Gestion des relances"</a></li> })}
                {me.can(Right::Settings).then(|| view! { <li><a href="/parametres/journal">"Journal"</a></li> })}
                <li><a href="/preferences">"Préférences"</a></li>
            </ul>
        })}
    }
}

#[component]
pub fn CommercialPage() -> impl IntoView {
    view! {
        <Title text="Gestion commerciale — Ouvrage" />
        {signed_in(|_| view! {
            <h1>"Gestion commerciale"</h1>
            <h2>"Suivi des clients"</h2>
            <ul class="menu">
                <li><a href="/gestion-commerciale/relances">"Relance factures clients"</a></li>
                <li><a href="/gestion-commerciale/factures-recues">"Factures reçues"</a></li>
                <li><a href="/clients/types-a-verifier">"Types de client à vérifier"</a></li>
            </ul>
            <p>"Les devis, factures et avoirs se font depuis le « Porte doc » de chaque client."</p>
        })}
    }
}
