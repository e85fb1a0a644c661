//! Server functions for logging in and out, the current user and one's own password.

use leptos::prelude::*;

use crate::auth::model::Me;
use crate::error::AppError;

#[server(prefix = "/api", endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), AppError> {
    use crate::auth::{password as pw, session, store, throttle};
    use crate::db::{Tenant, now};

    let st = session::state()?;
    let typed = vec![("email".to_string(), crate::auth::model::shorten(&email, 254))];
    let email = crate::auth::model::parse_email("email", &email).map_err(|e| e.with_values(typed.clone()))?;
    if password.is_empty() {
        return Err(AppError::invalid("password", "Le mot de passe est obligatoire.").with_values(typed));
    }
    let ip = session::client_ip(st.config.trust_proxy);
    let t = now();
    let row = store::find_login(&st.db, &email).await?;
    // A browser that logged into this account before has its own allowance, and is not
    // counted against its address.
    let device = match (&row, session::cookie_from_request(throttle::DEVICE_COOKIE)) {
        (Some(r), Some(cookie)) => throttle::device_valid(&st.secret, &email, &r.password_hash, &cookie, t),
        _ => false,
    };
    let keys = if device {
        vec![(throttle::device_key(&email), throttle::DEVICE)]
    } else {
        vec![(throttle::account_key(&email), throttle::ACCOUNT), (throttle::address_key(&ip), throttle::ADDRESS)]
    };
    if let Err(wait) = throttle::claim(&st.db, &keys, t).await? {
        return Err(throttle::too_early(wait));
    }
    let stored = row.as_ref().map(|r| r.password_hash.clone()).unwrap_or_else(|| pw::DUMMY_HASH.clone());
    let candidate = password.chars().take(1024).collect::<String>();
    let matches = match st.hashing.run(move || pw::verify(&candidate, &stored)).await {
        Ok(m) => m,
        Err(busy) => {
            throttle::give_back(&st.db, &keys).await?;
            return Err(busy);
        }
    };
    let user = match row {
        Some(r) if matches && r.active => r,
        _ => return Err(AppError::invalid("password", "Adresse e-mail ou mot de passe incorrect.").with_values(typed)),
    };
    let tenant = Tenant::trusted(user.company_id);
    let mut tx = st.db.begin().await?;
    if let Some(old) = session::token_from_request(st.config.secure_cookies) {
        store::revoke_session(&mut tx, &session::token_hash(&old), t).await?;
    }
    let address = (!device).then(|| throttle::address_key(&ip));
    throttle::succeeded(&mut tx, &[throttle::account_key(&email), throttle::device_key(&email)], address.as_deref()).await?;
    let token = session::new_token();
    store::create_session(&mut tx, &tenant, user.id, &session::token_hash(&token), t, t + session::ABSOLUTE_SECONDS).await?;
    crate::db::audit(&mut tx, &tenant, Some(user.id), "user", user.id, "login", &ip).await?;
    tx.commit().await?;
    session::set_cookie(&token, st.config.secure_cookies);
    session::set_device_cookie(&throttle::device_token(&st.secret, &email, &user.password_hash, t), st.config.secure_cookies);
    leptos_axum::redirect("/");
    Ok(())
}

#[server(prefix = "/api", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    use crate::auth::{session, store};
    let st = session::state()?;
    if let Some(token) = session::token_from_request(st.config.secure_cookies) {
        let mut tx = st.db.begin().await?;
        store::revoke_session(&mut tx, &session::token_hash(&token), crate::db::now()).await?;
        tx.commit().await?;
    }
    session::clear_cookie(st.config.secure_cookies);
    leptos_axum::redirect("/connexion");
    Ok(())
}

/// The logged-in user, or `None`.
#[server(prefix = "/api", endpoint = "me")]
pub async fn current_user() -> Result<Option<Me>, AppError> {
    match crate::auth::session::ctx().await {
        Ok(c) => {
            let due_actions = match c.due_actions {
                Some(n) => n,
                None => crate::actions::store::due_count(&c.db, &c.tenant, c.user_id(), crate::db::now()).await?,
            };
            Ok(Some(crate::auth::Me { due_actions, ..c.me }))
        }
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every user changes their own password; the current one is required. Their other
/// sessions end.
#[server(prefix = "/api", endpoint = "change_own_password")]
pub async fn change_own_password(current: String, new_password: String, confirm: String) -> Result<(), AppError> {
    use crate::auth::{password as pw, session, store};
    use crate::users::store as users;

    let cx = session::ctx().await?;
    if new_password != confirm {
        return Err(AppError::invalid("confirm", "La confirmation ne correspond pas au nouveau mot de passe."));
    }
    pw::check("new_password", &new_password)?;
    // The same allowance as the login form: a stolen session must not make it a free
    // password-guessing oracle.
    let st = session::state()?;
    let key = (crate::auth::throttle::account_key(&cx.me.email), crate::auth::throttle::ACCOUNT);
    if let Err(wait) = crate::auth::throttle::claim(&cx.db, std::slice::from_ref(&key), crate::db::now()).await? {
        return Err(crate::auth::throttle::too_early(wait));
    }
    let stored = users::password_hash(&cx.db, &cx.tenant, cx.user_id()).await?;
    let current: String = current.chars().take(1024).collect();
    let ok = match st.hashing.run(move || pw::verify(&current, &stored)).await {
        Ok(ok) => ok,
        Err(busy) => {
            crate::auth::throttle::give_back(&cx.db, std::slice::from_ref(&key)).await?;
            return Err(busy);
        }
    };
    if !ok {
        return Err(AppError::invalid("current", "Le mot de passe actuel est incorrect."));
    }
    let hash = st.hashing.run(move || pw::hash(&new_password)).await??;
    let t = crate::db::now();
    let mut tx = cx.db.begin().await?;
    users::set_password(&mut tx, &cx.tenant, cx.user_id(), &hash).await?;
    crate::auth::throttle::succeeded(&mut tx, &[key.0], None).await?;
    store::revoke_user_sessions(&mut tx, &cx.tenant, cx.user_id(), Some(cx.session_id), t).await?;
    crate::db::audit(&mut tx, &cx.tenant, Some(cx.user_id()), "user", cx.user_id(), "password_changed", "").await?;
    tx.commit().await?;
    leptos_axum::redirect("/preferences?modifie=mot-de-passe");
    Ok(())
}
