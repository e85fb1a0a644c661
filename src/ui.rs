//! Shared UI pieces: form fields with their French error beside them, page loading and
//! error pages. Forms are plain `<form method="post">` to server functions, so they work
//! before (and without) the wasm; an error comes back in the URL (`__err`) and is shown
//! next to its field, with what was typed.

use leptos::prelude::*;
use leptos::server_fn::error::ServerFnUrlError;
use leptos_router::hooks::use_query_map;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::AppError;

/// The error a server function at `path` sent back to this page, if any. It comes in the
/// page's URL (a form posted without JavaScript: `__path`, `__err`), so it is shown only
/// when the server signed it for this browser's session (`__sig`, see
/// `server::security::api_errors`, `secret::form_error_signature`): a link made elsewhere cannot put its own message or
/// values on our pages. When an error is echoed twice (a form sent again from a page that
/// showed an error), the last one counts.
pub fn form_error(path: &str) -> Option<AppError> {
    use_query_map().with_untracked(|q| {
        let last = |k: &str| q.get_all(k).and_then(|v| v.last().cloned());
        if last("__path").as_deref() != Some(path) {
            return None;
        }
        let err = last("__err")?;
        signed_for_this_browser(path, &err, last("__sig").as_deref()).then(|| ServerFnUrlError::<AppError>::decode_err(&err))
    })
}

/// Whether `sig` is the server's signature of `value` (under `name`) for this browser's
/// session (`secret::form_error_signature`). In the browser, where pages are not drawn,
/// there is nothing to check against.
fn signed_for_this_browser(name: &str, value: &str, sig: Option<&str>) -> bool {
    #[cfg(feature = "ssr")]
    {
        let Some(st) = use_context::<crate::state::AppState>() else { return false };
        let session = crate::auth::session::token_from_request(st.config.secure_cookies).unwrap_or_default();
        let expected = crate::secret::form_error_signature(&st.secret, &session, name, value);
        sig.is_some_and(|sig| crate::secret::verify_text(&expected, sig))
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = (name, value, sig);
        true
    }
}

/// The page's `:id` route parameter.
pub fn id_param() -> Option<i64> {
    leptos_router::hooks::use_params_map().with_untracked(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
}

/// A message a plain route sent back in the page's URL (`erreur`, after an upload), shown
/// only when the server signed it for this browser's session (`sig`, see
/// [`crate::files::refused`]): like [`form_error`], a link made elsewhere
/// cannot put its own text on our pages.
pub fn signed_message(name: &str) -> Option<String> {
    let message = query_param(name)?;
    signed_for_this_browser(name, &message, query_param("sig").as_deref()).then_some(message)
}

/// A query parameter of the current page.
pub fn query_param(name: &str) -> Option<String> {
    use_query_map().with_untracked(|q| q.get(name))
}

/// What every field shows: its id, the value (what was typed, after an error), and
/// the error message that belongs to it.
struct FieldState {
    id: String,
    err_id: String,
    value: String,
    msg: Option<String>,
}

impl FieldState {
    fn new(name: &str, value: String, error: &Option<AppError>) -> FieldState {
        let id = format!("f-{name}");
        FieldState {
            err_id: format!("{id}-err"),
            id,
            value: error.as_ref().and_then(|e| e.typed(name)).unwrap_or(value),
            msg: error.as_ref().and_then(|e| e.for_field(name)),
        }
    }
}

/// One labelled input; its error, if any, is shown beside it and announced.
#[component]
pub fn Field(
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(into, default = String::new())] value: String,
    #[prop(default = None)] error: Option<AppError>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let FieldState { id, err_id, value, msg } = FieldState::new(name, value, &error);
    let invalid = msg.is_some();
    // A password is never sent back.
    let value = if kind == "password" { String::new() } else { value };
    let hint_id = format!("{id}-hint");
    let described = match (msg.is_some(), hint.is_some()) {
        (true, _) => Some(err_id.clone()),
        (false, true) => Some(hint_id.clone()),
        _ => None,
    };
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=name
                type=kind
                value=value
                required=required
                autocomplete=autocomplete
                aria-invalid=msg.is_some().then_some("true")
                aria-describedby=described
            />
            {hint.map(|h| view! { <p class="hint" id=hint_id>{h}</p> })}
            {msg.map(|m| view! { <p class="field-error" id=err_id role="alert">{m}</p> })}
        </div>
    }
}

/// The text of a `<textarea>`, escaped. The locked tachys (0.2.19) writes a textarea's
/// children as they are (leptos issues #4730, #4819, #4821), so a typed `</textarea>`
/// would close the element and what follows be read as HTML. A textarea's content is
/// RCDATA: the browser decodes the entities and shows what was typed. In the browser
/// (an island drawing a textarea) the text becomes a text node and needs no escaping.
pub fn textarea_text(text: &str) -> String {
    #[cfg(feature = "ssr")]
    {
        crate::fmt::escape_html(text)
    }
    #[cfg(not(feature = "ssr"))]
    {
        text.to_string()
    }
}

/// A labelled multi-line text.
#[component]
pub fn TextField(
    name: &'static str,
    label: &'static str,
    #[prop(into, default = String::new())] value: String,
    #[prop(default = None)] error: Option<AppError>,
) -> impl IntoView {
    let FieldState { id, err_id, value, msg } = FieldState::new(name, value, &error);
    let invalid = msg.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>{label}</label>
            <textarea
                id=id
                name=name
                rows="4"
                aria-invalid=msg.is_some().then_some("true")
                aria-describedby=msg.is_some().then(|| err_id.clone())
            >
                {textarea_text(&value)}
            </textarea>
            {msg.map(|m| view! { <p class="field-error" id=err_id role="alert">{m}</p> })}
        </div>
    }
}

/// The message of an error that belongs to no field shown in the form.
#[component]
pub fn FormAlert(error: Option<AppError>, fields: &'static [&'static str]) -> impl IntoView {
    let shown = error.filter(|e| match e {
        AppError::Invalid { field, .. } => !fields.contains(&field.as_str()),
        _ => true,
    });
    shown.map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })
}

/// A confirmation («Enregistré.») after a successful form.
#[component]
pub fn Notice(#[prop(into)] text: String) -> impl IntoView {
    view! { <p class="notice" role="status">{text}</p> }
}

/// The page for an error: the login page for a visitor, «Accès refusé» (403),
/// «introuvable» (404) or a French message, never a stack trace.
pub fn error_view(e: AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    {
        use http::StatusCode;
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
        }
        if e == AppError::Unauthenticated {
            leptos_axum::redirect("/connexion");
        }
    }
    match e {
        AppError::Unauthenticated => view! {
            <h1>"Connexion requise"</h1>
            <p>"Veuillez vous " <a href="/connexion">"connecter"</a> "."</p>
        }
        .into_any(),
        AppError::Forbidden(_) => view! {
            <h1>"Accès refusé"</h1>
            <p role="alert">{e.to_string()}</p>
        }
        .into_any(),
        AppError::NotFound(_) => view! {
            <h1>"Introuvable"</h1>
            <p role="alert">{e.to_string()}</p>
        }
        .into_any(),
        e => view! {
            <h1>"Erreur"</h1>
            <p role="alert">{e.to_string()}</p>
        }
        .into_any(),
    }
}

/// Loads a page's data with its server function, then renders it, or the error page.
pub fn load<T, Fut, R, V>(fetch: impl Fn() -> Fut + Send + Sync + 'static, render: R) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    R: FnOnce(T) -> V + Send + 'static,
    V: IntoView + 'static,
{
    // Boxed: a server function's future is large (kilobytes of state), and the resource
    // moves its future several times before polling it; a box moves as one pointer.
    show(Resource::new(|| (), move |_| Box::pin(fetch())), render)
}

/// Renders a loaded resource, or the error page (`render` runs once).
pub fn show<T, R, V>(data: Resource<Result<T, AppError>>, render: R) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    R: FnOnce(T) -> V + Send + 'static,
    V: IntoView + 'static,
{
    // One `Suspend`, not a closure making one: once the data is in, `Suspense` walks its
    // children again to find nested resources, then renders them. A closure would build
    // the view twice, and every resource of the nested widgets and lists twice (their
    // queries ran twice). A `Suspend` keeps what that walk built for the render. The pages
    // are not hydrated (islands), so nothing here needs to re-run in the browser.
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Chargement…"</p> }>
            {Suspend::new(async move {
                match data.await {
                    Ok(d) => render(d).into_any(),
                    Err(e) => error_view(e),
                }
            })}
        </Suspense>
    }
}

/// The URL a form posts to for server function `S`.
pub fn path<S: leptos::server_fn::ServerFn>() -> &'static str {
    S::PATH
}

/// A labelled choice among fixed options.
#[component]
pub fn SelectField(
    name: &'static str,
    label: &'static str,
    options: Vec<(&'static str, &'static str)>,
    #[prop(into, default = String::new())] value: String,
    #[prop(default = None)] error: Option<AppError>,
) -> impl IntoView {
    let FieldState { id, err_id, value, msg } = FieldState::new(name, value, &error);
    let invalid = msg.is_some();
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id.clone()>{label}</label>
            <select id=id name=name aria-invalid=invalid.then_some("true") aria-describedby=invalid.then(|| err_id.clone())>
                {options.into_iter().map(|(v, l)| view! { <option value=v selected=v == value>{l}</option> }).collect_view()}
            </select>
            {msg.map(|m| view! { <p class="field-error" id=err_id role="alert">{m}</p> })}
        </div>
    }
}
