//! The search engine's table of cases, on SQLite and PostgreSQL: the same answers on both.

use crate::common::{Backend, Client, spawn};

both_databases!(search_cases);
both_databases!(index_follows_writes_across_blocks);

struct C<'a> {
    statut: &'a str,
    nom: &'a str,
    prenom: &'a str,
    societe: &'a str,
    cp: &'a str,
    ville: &'a str,
    phone: &'a str,
    email: &'a str,
}

const FIXTURES: &[C] = &[
    C {
        statut: "client",
        nom: "Pavière",
        prenom: "Robert",
        societe: "",
        cp: "42000",
        ville: "Saint-Étienne",
        phone: "06 12 34 56 78",
        email: "robert.paviere@orange.fr",
    },
    C {
        statut: "prospect",
        nom: "Cœur",
        prenom: "Marie-Thérèse",
        societe: "",
        cp: "69001",
        ville: "Lyon",
        phone: "04 78 12 34 56",
        email: "",
    },
    C {
        statut: "client",
        nom: "L'Hôte",
        prenom: "Jean-Luc",
        societe: "Boulangerie L'Hôte",
        cp: "45000",
        ville: "Orléans",
        phone: "02 38 11 22 33",
        email: "",
    },
    C {
        statut: "client",
        nom: "Martin",
        prenom: "Jean",
        societe: "",
        cp: "69001",
        ville: "Lyon",
        phone: "06 98 76 54 32",
        email: "jean.martin@free.fr",
    },
    C { statut: "prospect", nom: "Martinez", prenom: "Sophie", societe: "", cp: "31000", ville: "Toulouse", phone: "", email: "" },
    C {
        statut: "corbeille",
        nom: "Dupont",
        prenom: "Zoé",
        societe: "",
        cp: "59000",
        ville: "Lille",
        phone: "03 20 00 00 01",
        email: "zoe.dupont@sfr.fr",
    },
    C {
        statut: "client",
        nom: "Müller",
        prenom: "Hans",
        societe: "",
        cp: "25000",
        ville: "Besançon",
        phone: "+41 22 345 67 89",
        email: "",
    },
    C { statut: "client", nom: "", prenom: "", societe: "SCI Les Tilleuls", cp: "29200", ville: "Brest", phone: "", email: "" },
    C {
        statut: "prospect", nom: "Saint-Just", prenom: "Anaël", societe: "", cp: "94240", ville: "L'Haÿ-les-Roses", phone: "", email: ""
    },
    C {
        statut: "client",
        nom: "Lefèvre",
        prenom: "Hélène",
        societe: "",
        cp: "13001",
        ville: "Marseille",
        phone: "07 11 22 33 44",
        email: "",
    },
    C { statut: "client", nom: "De la Tour", prenom: "Noé", societe: "", cp: "29200", ville: "Brest", phone: "", email: "" },
];

async fn create(c: &Client, f: &C<'_>) {
    let r = c
        .call(
            "contacts/create",
            &[
                ("statut", f.statut),
                ("nom", f.nom),
                ("prenom", f.prenom),
                ("societe", f.societe),
                ("code_postal", f.cp),
                ("ville", f.ville),
                ("phones[]", f.phone),
                ("email", f.email),
            ],
        )
        .await;
    assert_eq!(r.status, 200, "{} {}", f.nom, r.body);
}

/// The names (or companies) found, in order.
async fn found(c: &Client, q: &str) -> Vec<String> {
    let r = c.call("search", &[("q", q)]).await;
    assert_eq!(r.status, 200, "«{q}»: {}", r.body);
    r.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let nom = h["nom"].as_str().unwrap();
            if nom.is_empty() { h["societe"].as_str().unwrap().to_string() } else { nom.to_string() }
        })
        .collect()
}

async fn search_cases(b: Backend) {
    let app = spawn(b).await;
    let admin = app.admin().await;
    for f in FIXTURES {
        create(&admin, f).await;
    }
    // Another company has its own «Pavière».
    ouvrage::server::demo::create_company(&app.db, "Autre SARL", "patron@autre.fr", "Autre-Patron-2026").await.unwrap();
    let other = app.logged_in("patron@autre.fr", "Autre-Patron-2026").await;
    create(
        &other,
        &C {
            statut: "client",
            nom: "Pavière",
            prenom: "Roberta",
            societe: "",
            cp: "75001",
            ville: "Paris",
            phone: "06 12 34 56 79",
            email: "",
        },
    )
    .await;

    let long = "paviere ".repeat(700);
    // (query, the first result, others that must be there, names that must not be there)
    type Case<'a> = (&'a str, Option<&'a str>, Vec<&'a str>, Vec<&'a str>);
    let cases: Vec<Case> = vec![
        ("paviere robert", Some("Pavière"), vec![], vec![]),
        ("Robert Pavière", Some("Pavière"), vec![], vec![]),
        ("Pavierre", Some("Pavière"), vec![], vec![]),
        ("PAVIERE", Some("Pavière"), vec![], vec![]),
        ("pav rob", Some("Pavière"), vec![], vec![]),
        ("pavi", Some("Pavière"), vec![], vec![]),
        ("paviere rob", Some("Pavière"), vec![], vec![]),
        ("rob paviere", Some("Pavière"), vec![], vec![]),
        ("Paviére", Some("Pavière"), vec![], vec![]),
        ("pavere", Some("Pavière"), vec![], vec![]),
        ("paivere", Some("Pavière"), vec![], vec![]),
        ("06 12 34 56 78", Some("Pavière"), vec![], vec![]),
        ("+33 6 12 34 56 78", Some("Pavière"), vec![], vec![]),
        ("0612345678", Some("Pavière"), vec![], vec![]),
        ("+33612345678", Some("Pavière"), vec![], vec![]),
        ("06 12 34", Some("Pavière"), vec![], vec![]),
        ("06.12.34.56.78", Some("Pavière"), vec![], vec![]),
        ("robert.paviere@orange.fr", Some("Pavière"), vec![], vec![]),
        ("ROBERT.PAVIERE@ORANGE.FR", Some("Pavière"), vec![], vec![]),
        ("robert.paviere@", Some("Pavière"), vec![], vec![]),
        ("42000", Some("Pavière"), vec![], vec![]),
        ("saint etienne", Some("Pavière"), vec![], vec![]),
        ("Saint-Étienne", Some("Pavière"), vec![], vec![]),
        ("coeur", Some("Cœur"), vec![], vec![]),
        ("Cœur", Some("Cœur"), vec![], vec![]),
        ("marie therese", Some("Cœur"), vec![], vec![]),
        ("marie-thérèse cœur", Some("Cœur"), vec![], vec![]),
        ("l'hote", Some("L'Hôte"), vec![], vec![]),
        ("hote", Some("L'Hôte"), vec![], vec![]),
        ("boulangerie", Some("L'Hôte"), vec![], vec![]),
        ("orleans", Some("L'Hôte"), vec![], vec![]),
        ("martin", Some("Martin"), vec!["Martinez"], vec![]),
        ("martin jean", Some("Martin"), vec![], vec!["Martinez"]),
        ("jean martin", Some("Martin"), vec![], vec!["Martinez"]),
        ("jean.martin@free.fr", Some("Martin"), vec![], vec![]),
        ("0698", Some("Martin"), vec![], vec![]),
        ("lyon", None, vec!["Martin", "Cœur"], vec![]),
        ("dupont", None, vec![], vec!["Dupont"]),
        ("zoe", None, vec![], vec!["Dupont"]),
        ("03 20 00 00 01", None, vec![], vec!["Dupont"]),
        ("muller", Some("Müller"), vec![], vec![]),
        ("MÜLLER", Some("Müller"), vec![], vec![]),
        ("+41 22 345 67 89", Some("Müller"), vec![], vec![]),
        ("tilleuls", Some("SCI Les Tilleuls"), vec![], vec![]),
        ("sci les tilleuls", Some("SCI Les Tilleuls"), vec![], vec![]),
        ("haÿ", Some("Saint-Just"), vec![], vec![]),
        ("anael", Some("Saint-Just"), vec![], vec![]),
        ("saint just", Some("Saint-Just"), vec![], vec!["Pavière"]),
        ("helene lefevre", Some("Lefèvre"), vec![], vec![]),
        ("lefebvre", Some("Lefèvre"), vec![], vec![]),
        ("de la tour", Some("De la Tour"), vec![], vec![]),
        ("tour noe", Some("De la Tour"), vec![], vec![]),
        ("pa", None, vec!["Pavière"], vec![]),
        ("75001", None, vec![], vec!["Pavière"]),
        ("%", None, vec![], vec!["Pavière"]),
        ("' OR 1=1 --", None, vec![], vec!["Pavière"]),
        ("\"paviere\" *", Some("Pavière"), vec![], vec![]),
        ("paviere MATCH robert", None, vec![], vec![]),
        ("_", None, vec![], vec![]),
        ("", None, vec![], vec![]),
        ("\u{0301}", None, vec![], vec![]),
        ("🙂", None, vec![], vec![]),
        ("zzzzzz", None, vec![], vec![]),
        (long.as_str(), Some("Pavière"), vec![], vec![]),
    ];
    let mut failures = Vec::new();
    for (q, first, contains, excludes) in &cases {
        let got = found(&admin, q).await;
        let ok = first.is_none_or(|f| got.first().map(String::as_str) == Some(f))
            && contains.iter().all(|c| got.iter().any(|g| g == c))
            && excludes.iter().all(|e| !got.iter().any(|g| g == e));
        if !ok {
            failures.push(format!("«{}» → {:?}", q.chars().take(40).collect::<String>(), got));
        }
    }
    // Queries that must find nothing at all.
    for q in ["dupont", "zoe", "%", "' OR 1=1 --", "_", "", "\u{0301}", "🙂", "zzzzzz", "75001", "paviere MATCH robert"] {
        let got = found(&admin, q).await;
        if !got.is_empty() {
            failures.push(format!("«{q}» should find nothing → {got:?}"));
        }
    }
    assert!(cases.len() >= 40);
    assert!(failures.is_empty(), "{} of {} cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));

    // A hit carries the whole card as written: accents, apostrophes, the first phone, and
    // no phone at all.
    let hit = |q: &'static str| {
        let admin = &admin;
        async move { admin.call("search", &[("q", q)]).await.json()[0].clone() }
    };
    let card = |h: &serde_json::Value| {
        ["statut", "nom", "prenom", "societe", "code_postal", "ville", "email", "phone"].map(|k| h[k].as_str().map(str::to_string))
    };
    let some = |v: [&str; 8]| v.map(|s| Some(s.to_string()));
    let paviere = hit("paviere").await;
    assert_eq!(
        card(&paviere),
        some(["client", "Pavière", "Robert", "", "42000", "Saint-Étienne", "robert.paviere@orange.fr", "06 12 34 56 78"]),
        "{paviere}"
    );
    assert!(paviere["id"].as_i64().is_some_and(|id| id > 0), "{paviere}");
    let lhote = hit("l'hote").await;
    assert_eq!(
        card(&lhote),
        some(["client", "L'Hôte", "Jean-Luc", "Boulangerie L'Hôte", "45000", "Orléans", "", "02 38 11 22 33"]),
        "{lhote}"
    );
    let martinez = hit("martinez").await;
    assert_eq!(martinez["phone"], serde_json::Value::Null, "{martinez}");
    assert_eq!(martinez["prenom"], "Sophie");

    // One typo away from «Robert»: our Robert, never the other company's Roberta.
    let r = admin.call("search", &[("q", "roberta")]).await.json();
    assert!(r.as_array().unwrap().iter().all(|h| h["prenom"] != "Roberta"), "{r}");
    // The other company sees only its own records.
    assert_eq!(found(&other, "paviere").await, vec!["Pavière".to_string()]);
    let theirs = other.call("search", &[("q", "paviere")]).await.json();
    assert_eq!(theirs[0]["prenom"], "Roberta");
    assert!(found(&other, "martin").await.is_empty());
    // A visitor gets nothing.
    assert_eq!(app.client().call("search", &[("q", "paviere")]).await.status, 401);
    app.finish().await;
}

/// Many contacts sharing a term fill several posting blocks: the index written contact by
/// contact (splits, removals, restores) answers exactly as one rebuilt from scratch.
async fn index_follows_writes_across_blocks(b: Backend) {
    use ouvrage::contacts::model::{ContactInput, Statut};
    use ouvrage::contacts::store;
    let app = spawn(b).await;
    let t = ouvrage::server::seed::company(&app.db, Some("Blocs")).await.unwrap();
    let input = |i: usize, statut: Statut| ContactInput {
        statut,
        civilite: String::new(),
        nom: "Durand".into(),
        prenom: format!("Prénom{i}"),
        societe: String::new(),
        adresse: String::new(),
        code_postal: "42000".into(),
        ville: if i.is_multiple_of(2) { "Roanne".into() } else { "Feurs".into() },
        phones: vec![],
        email: String::new(),
        notes: String::new(),
        commercial: Default::default(),
        ids: Default::default(),
    };
    let n = 1300; // more than two blocks of 512
    let mut ids = Vec::new();
    let mut tx = app.db.begin().await.unwrap();
    for i in 0..n {
        ids.push(store::create(&mut tx, &t, None, &input(i, Statut::Client)).await.unwrap());
    }
    tx.commit().await.unwrap();
    let count = |q: &'static str| {
        let db = app.db.clone();
        async move { ouvrage::search::store::search(&db, &t, q, 5000).await.unwrap().len() }
    };
    assert_eq!(count("durand").await, n);
    assert_eq!(count("durand roanne").await, n / 2);
    // Trash one in three, move one in five to another town.
    let mut tx = app.db.begin().await.unwrap();
    for (i, id) in ids.iter().enumerate() {
        if i.is_multiple_of(3) {
            store::update(&mut tx, &t, None, *id, Statut::Client, &input(i, Statut::Corbeille)).await.unwrap();
        } else if i.is_multiple_of(5) {
            let mut c = input(i, Statut::Client);
            c.ville = "Montbrison".into();
            store::update(&mut tx, &t, None, *id, Statut::Client, &c).await.unwrap();
        }
    }
    tx.commit().await.unwrap();
    let live = (0..n).filter(|i| i % 3 != 0).count();
    let montbrison = (0..n).filter(|i| i % 3 != 0 && i % 5 == 0).count();
    let roanne = (0..n).filter(|i| i % 3 != 0 && i % 5 != 0 && i % 2 == 0).count();
    let expected = [("durand", live), ("durand roanne", roanne), ("montbrison", montbrison), ("feurs", live - roanne - montbrison)];
    for (q, want) in expected {
        assert_eq!(count(q).await, want, "«{q}» written contact by contact");
    }
    // Restoring from the «Corbeille» puts them back.
    let mut tx = app.db.begin().await.unwrap();
    store::update(&mut tx, &t, None, ids[3], Statut::Corbeille, &input(3, Statut::Prospect)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count("durand").await, live + 1);
    let hits = ouvrage::search::store::search(&app.db, &t, "durand feurs", 5000).await.unwrap();
    assert!(hits.iter().any(|h| h.id == ids[3]), "restored");
    // The same answers from an index rebuilt from the contacts.
    let before: Vec<usize> = futures_counts(&count, &expected).await;
    store::reindex_all(&app.db, &t).await.unwrap();
    assert_eq!(futures_counts(&count, &expected).await, before);
    app.finish().await;
}

async fn futures_counts<F, Fut>(count: &F, cases: &[(&'static str, usize)]) -> Vec<usize>
where
    F: Fn(&'static str) -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut out = Vec::new();
    for (q, _) in cases {
        out.push(count(q).await);
    }
    out
}
