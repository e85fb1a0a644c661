//! Complementary questions (SPEC C5): settings, answers checked by kind, all or nothing,
//! kept when a question changes or is retired.

use crate::common;

use crate::common::Backend;

both_databases!(questions_and_answers);

async fn questions_and_answers(b: Backend) {
    let app = common::spawn(b).await;
    let admin = app.admin().await;
    let save = async |label: &str, kind: &str, choices: &str, pinned: bool| {
        let mut form = vec![("label", label), ("kind", kind), ("choices", choices)];
        if pinned {
            form.push(("pinned", "on"));
        }
        admin.call("questions/save", &form).await
    };
    let chauffage = save("Type de chauffage", "choix", "Gaz\nFioul\nPompe à chaleur", true).await.body;
    let contrat = save("Contrat d'entretien", "oui_non", "", true).await.body;
    let surface = save("Surface (m²)", "nombre", "", false).await.body;
    let visite = save("Dernière visite", "date", "", false).await.body;
    let note = save("Accès", "texte", "", false).await.body;
    assert_eq!(save("Énergie", "choix", "Gaz", false).await.invalid().0, "choices", "a choice needs two answers");
    assert_eq!(save("  ", "texte", "", false).await.invalid().0, "label");
    assert_eq!(save("x", "couleur", "", false).await.invalid().0, "kind");
    let list = admin.call("questions/list", &[]).await.json();
    assert_eq!(list.as_array().unwrap().len(), 5);
    assert_eq!(list[0]["choices"], serde_json::json!(["Gaz", "Fioul", "Pompe à chaleur"]));
    assert_eq!(admin.call("questions/arrange", &[("id", &note), ("op", "up")]).await.status, 200);
    assert_eq!(admin.call("questions/list", &[]).await.json()[3]["label"], "Accès");

    let r = admin.call("contacts/create", &[("statut", "client"), ("nom", "Roche"), ("prenom", "Anne")]).await;
    assert_eq!(r.status, 200);
    let k = admin.newest_client_id().await.to_string();
    let answer = async |pairs: &[(&str, &str)]| {
        let mut form = vec![("contact_id", k.as_str())];
        for (q, v) in pairs {
            form.push(("question[]", q));
            form.push(("value[]", v));
        }
        admin.call("questions/answer", &form).await
    };
    let r = answer(&[(&chauffage, "Fioul"), (&contrat, "oui"), (&surface, "112,5"), (&visite, "2026-10-14"), (&note, "Portail code 1234")])
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let got = admin.call("questions/answers", &[("contact_id", &k)]).await.json();
    let value = |label: &str| got.as_array().unwrap().iter().find(|a| a["question"]["label"] == label).unwrap()["value"].clone();
    assert_eq!(
        (value("Type de chauffage"), value("Contrat d'entretien"), value("Surface (m²)")),
        ("Fioul".into(), "oui".into(), "112,5".into())
    );
    // Bad answers: a French message beside the field, and nothing saved (all or nothing).
    for (q, v, msg) in [
        (&surface, "beaucoup", "un nombre"),
        (&visite, "31/02/2026", "une date"),
        (&chauffage, "Bois", "une des réponses"),
        (&contrat, "peut-être", "Oui ou Non"),
    ] {
        let r = answer(&[(&note, "Changé"), (q, v)]).await;
        let (field, message) = r.invalid();
        assert_eq!(field, format!("q{q}"));
        assert!(message.contains(msg), "{message}");
    }
    let got = admin.call("questions/answers", &[("contact_id", &k)]).await.json();
    assert_eq!(
        got.as_array().unwrap().iter().find(|a| a["question"]["label"] == "Accès").unwrap()["value"],
        "Portail code 1234",
        "nothing half-saved"
    );
    // Changing a question never wipes answers; a retired one keeps its answer, shown as retired.
    let r = admin
        .call(
            "questions/save",
            &[("id", &chauffage), ("label", "Chauffage principal"), ("kind", "choix"), ("choices", "Gaz\nPompe à chaleur")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(admin.call("questions/arrange", &[("id", &contrat), ("op", "retire")]).await.status, 200);
    let got = admin.call("questions/answers", &[("contact_id", &k)]).await.json();
    let a = got.as_array().unwrap().iter().find(|a| a["question"]["label"] == "Chauffage principal").unwrap();
    assert_eq!(a["value"], "Fioul", "an answer from the earlier list stays");
    let c = got.as_array().unwrap().iter().find(|a| a["question"]["label"] == "Contrat d'entretien").unwrap();
    assert_eq!((c["value"].as_str(), c["question"]["retired"].as_bool()), (Some("oui"), Some(true)));
    let page = admin.get(&format!("/clients/{k}")).await;
    assert!(
        page.body.contains("Questions complémentaires") && page.body.contains("Contrat d&#x27;entretien (question retirée) : Oui")
            || page.body.contains("Contrat d'entretien (question retirée) : Oui"),
        "{}",
        page.body
    );
    // Emptying an answer removes it.
    assert_eq!(answer(&[(&note, "")]).await.status, 200);
    assert_eq!(app.count("answer").await, 4);
    app.finish().await;
}
