//! The one error type every server function returns. Its messages are French and shown
//! as they are; `Invalid` names the form field the message belongs beside.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Veuillez vous connecter.")]
    Unauthenticated,
    #[error("Vous n'avez pas le droit « {0} ».")]
    Forbidden(String),
    #[error("{0} introuvable.")]
    NotFound(String),
    /// A value the user typed is refused. `values` echoes what was typed (never a
    /// password) so that a form posted without JavaScript comes back filled in.
    #[error("{message}")]
    Invalid {
        field: String,
        message: String,
        #[serde(default)]
        values: Vec<(String, String)>,
    },
    #[error("{0}")]
    TooManyAttempts(String),
    #[error("Une erreur interne est survenue. Réessayez dans un instant.")]
    Internal,
    #[error("Le serveur n'a pas pu être joint : {0}")]
    Transport(String),
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        AppError::Invalid { field: field.into(), message: message.into(), values: Vec::new() }
    }

    /// Refuses a list longer than its page can send (`max`), before any work on it: the
    /// cost of a request must be bounded before it starts.
    pub fn at_most<T>(field: &str, list: &[T], max: usize) -> Result<(), AppError> {
        if list.len() > max {
            return Err(AppError::invalid(field, format!("Le formulaire envoie trop d'éléments ({max} au plus) : rechargez la page.")));
        }
        Ok(())
    }

    /// Attaches the typed values to an `Invalid` error (other errors are unchanged).
    pub fn with_values(self, typed: Vec<(String, String)>) -> Self {
        match self {
            AppError::Invalid { field, message, .. } => AppError::Invalid { field, message, values: typed },
            other => other,
        }
    }

    /// The message for a given field, if this error is about it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid { field, message, .. } if field == name => Some(message.clone()),
            _ => None,
        }
    }

    /// What a form field should show again after an error.
    /// The field a refusal is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            AppError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    pub fn typed(&self, name: &str) -> Option<String> {
        match self {
            AppError::Invalid { values, .. } => values.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
            _ => None,
        }
    }

    /// HTTP status a non-browser caller gets for this error.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthenticated => 401,
            AppError::Forbidden(_) => 403,
            AppError::NotFound(_) => 404,
            AppError::Invalid { .. } => 422,
            AppError::TooManyAttempts(_) => 429,
            AppError::Internal | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => {
                AppError::invalid("", "Le formulaire envoyé est incomplet ou mal formé.")
            }
            // On the server: a body over the size limit, or not UTF-8.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Deserialization(_) => AppError::invalid("", "Les données envoyées sont illisibles ou trop volumineuses."),
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Response(m) => AppError::Transport(m),
            _ => AppError::Internal,
        }
    }
}

/// A urlencoded body read as a server function reads it (unit tests of the forms a server
/// function takes).
#[cfg(all(test, feature = "ssr"))]
pub(crate) fn decode_form<T: serde::de::DeserializeOwned>(body: &str) -> Result<T, AppError> {
    use leptos::server_fn::codec::{FromReq, PostUrl};
    let req = http::Request::post("/api/")
        .header(http::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(axum::body::Body::from(body.to_string()))
        .expect("request");
    futures::executor::block_on(<T as FromReq<PostUrl, _, AppError>>::from_req(req))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_messages_and_typed_values() {
        let e = AppError::invalid("email", "Adresse e-mail invalide.").with_values(vec![("email".into(), "x@".into())]);
        assert_eq!(e.for_field("email").as_deref(), Some("Adresse e-mail invalide."));
        assert_eq!(e.for_field("name"), None);
        assert_eq!(e.typed("email").as_deref(), Some("x@"));
        assert_eq!(e.status(), 422);
        assert_eq!(AppError::NotFound("Utilisateur".into()).to_string(), "Utilisateur introuvable.");
    }
}
