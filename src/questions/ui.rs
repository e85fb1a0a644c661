//! «Paramètres» › «Questions complémentaires», and the answers on «Fiche contact».

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::AppError;
use crate::questions::api::{ArrangeQuestion, SaveAnswers, SaveQuestion, contact_answers, list_questions};
use crate::questions::model::{AnswerView, Kind, QuestionView};
use crate::ui::{FormAlert, Notice, form_error, load, path, query_param};

#[component]
pub fn QuestionsPage() -> impl IntoView {
    let error = [path::<SaveQuestion>(), path::<ArrangeQuestion>()].into_iter().find_map(form_error);
    let done = query_param("modifie").is_some();
    view! {
        <Title text="Questions complémentaires — Ouvrage" />
        <h1>"Questions complémentaires"</h1>
        <p><a href="/parametres">"Paramètres"</a></p>
        {done.then(|| view! { <Notice text="Enregistré." /> })}
        <FormAlert error=error.clone() fields=&[] />
        <form method="post" action={path::<SaveQuestion>()} class="card wide" aria-label="Nouvelle question">
            <h2>"Nouvelle question"</h2>
            {question_fields("new", None)}
            <button type="submit">"Ajouter"</button>
        </form>
        {load(list_questions, |questions| {
            let n = questions.len();
            questions.into_iter().enumerate().map(|(i, q)| question_card(q, i == 0, i + 1 == n)).collect_view()
        })}
    }
}

fn question_fields(prefix: &str, q: Option<&QuestionView>) -> impl IntoView + use<> {
    let kind = q.map(|q| q.kind).unwrap_or(Kind::Texte);
    let (l, k, c, p) = (format!("{prefix}-label"), format!("{prefix}-kind"), format!("{prefix}-choices"), format!("{prefix}-pinned"));
    view! {
        <div class="field"><label for=l.clone()>"Question"</label><input id=l name="label" required value=q.map(|q| q.label.clone()).unwrap_or_default() /></div>
        <div class="field">
            <label for=k.clone()>"Type de réponse"</label>
            <select id=k name="kind">
                {Kind::ALL.into_iter().map(|x| view! { <option value=x.code() selected=x == kind>{x.label()}</option> }).collect_view()}
            </select>
        </div>
        <div class="field">
            <label for=c.clone()>"Réponses proposées (une par ligne, pour « Choix dans une liste »)"</label>
            <textarea id=c name="choices" rows="3">{crate::ui::textarea_text(&q.map(|q| q.choices.join("\n")).unwrap_or_default())}</textarea>
        </div>
        <div class="check">
            <input type="checkbox" id=p.clone() name="pinned" value="on" checked=q.is_some_and(|q| q.pinned) />
            <label for=p>"Afficher sur la page d'accueil du client"</label>
        </div>
    }
}

fn arrange(id: i64, op: &'static str, label: &'static str, aria: String) -> impl IntoView {
    view! {
        <form method="post" action={path::<ArrangeQuestion>()} class="inline">
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="op" value=op />
            <button type="submit" class="small" aria-label=aria>{label}</button>
        </form>
    }
}

fn question_card(q: QuestionView, first: bool, last: bool) -> impl IntoView {
    let id = q.id;
    let t = q.label.clone();
    view! {
        <article class="card wide" id=format!("question-{id}") aria-label=format!("Question {}", q.label) class:retired=q.retired>
            <h2>{q.label.clone()} {q.retired.then_some(" (retirée)")}</h2>
            <p class="hint">{format!("{} · {} réponse(s){}", q.kind.label(), q.answers, if q.pinned { " · sur la page d'accueil du client" } else { "" })}</p>
            <div class="row">
                {(!first).then(|| arrange(id, "up", "Monter", format!("Monter {t}")))}
                {(!last).then(|| arrange(id, "down", "Descendre", format!("Descendre {t}")))}
                {if q.retired { arrange(id, "restore", "Réactiver", format!("Réactiver {t}")).into_any() } else { arrange(id, "retire", "Retirer", format!("Retirer {t}")).into_any() }}
            </div>
            <form method="post" action={path::<SaveQuestion>()}>
                <input type="hidden" name="id" value=id />
                {question_fields(&format!("q{id}"), Some(&q))}
                <button type="submit">"Enregistrer"</button>
            </form>
        </article>
    }
}

/// The answers on «Fiche contact»: one field per question, by kind.
#[component]
pub fn ContactAnswersSection(contact_id: i64) -> impl IntoView {
    let error = form_error(path::<SaveAnswers>());
    load(
        move || contact_answers(contact_id),
        move |answers| {
            let error = error.clone();
            if answers.is_empty() {
                return ().into_any();
            }
            view! {
                <form method="post" action={path::<SaveAnswers>()} class="card wide" aria-label="Questions complémentaires">
                    <h2>"Questions complémentaires"</h2>
                    <FormAlert error=error.clone() fields=&[] />
                    <input type="hidden" name="contact_id" value=contact_id />
                    {answers.iter().filter(|a| !a.question.retired).map(|a| answer_field(a, &error)).collect_view()}
                    {answers.iter().filter(|a| a.question.retired).map(|a| view! {
                        <p class="retired">{format!("{} (question retirée) : {}", a.question.label, a.display())}</p>
                    }).collect_view()}
                    <button type="submit">"Enregistrer les réponses"</button>
                </form>
            }
            .into_any()
        },
    )
}

fn answer_field(a: &AnswerView, error: &Option<AppError>) -> impl IntoView + use<> {
    let q = &a.question;
    let name = format!("q{}", q.id);
    let id = format!("f-{name}");
    let msg = error.as_ref().and_then(|e| e.for_field(&name));
    let bad = msg.is_some();
    let value = error.as_ref().and_then(|e| e.typed(&name)).unwrap_or_else(|| a.value.clone());
    let input = match q.kind {
        Kind::OuiNon => view! {
            <select id=id.clone() name="value[]">
                <option value="" selected=value.is_empty()>"—"</option>
                <option value="oui" selected=value == "oui">"Oui"</option>
                <option value="non" selected=value == "non">"Non"</option>
            </select>
        }
        .into_any(),
        Kind::Choix => {
            let mut options = q.choices.clone();
            if !value.is_empty() && !options.contains(&value) {
                options.push(value.clone()); // an answer from an earlier list stays shown
            }
            view! {
                <select id=id.clone() name="value[]">
                    <option value="" selected=value.is_empty()>"—"</option>
                    {options.into_iter().map(|o| view! { <option value=o.clone() selected=o == value>{o.clone()}</option> }).collect_view()}
                </select>
            }
            .into_any()
        }
        Kind::Date => view! { <input id=id.clone() name="value[]" type="date" value=value /> }.into_any(),
        Kind::Nombre => view! { <input id=id.clone() name="value[]" inputmode="decimal" value=value /> }.into_any(),
        Kind::Texte => view! { <input id=id.clone() name="value[]" value=value /> }.into_any(),
    };
    view! {
        <div class="field" class:invalid=bad>
            <input type="hidden" name="question[]" value=q.id />
            <label for=id>{q.label.clone()}</label>
            {input}
            {msg.map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
        </div>
    }
}
