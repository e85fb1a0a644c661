import { test, expect, Page } from '@playwright/test';
import { fillCompany, login } from './session';

async function newContact(page: Page, nom: string, prenom: string) {
  await page.goto('/clients/nouveau');
  await page.getByLabel('Nom', { exact: true }).fill(nom);
  await page.getByLabel('Prénom').fill(prenom);
  await page.getByLabel('Code postal').fill('42600');
  await page.getByLabel('Ville').fill('Montbrison');
}

test('two «Lagrange-Vernet Aurélien»: warned, merged from «Doublons» with both records\' documents and actions, then undone', async ({ page }) => {
  await login(page);
  await fillCompany(page);
  // An action type, for an action on the second record.
  await page.goto('/parametres/actions');
  await page.getByLabel("Type d'action").fill('A faire');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Enregistré.')).toBeVisible();
  await newContact(page, 'Lagrange-Vernet', 'Aurélien');
  await page.getByLabel('Téléphone', { exact: true }).fill('04 77 58 00 01');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Contact créé.')).toBeVisible();
  const first = page.url().replace(/\?.*$/, '');
  // A facture on the first record.
  await page.getByRole('link', { name: 'Porte doc' }).click();
  await page.getByRole('link', { name: 'Nouvelle facture' }).click();
  await page.getByLabel('Désignation, ligne 1').fill('Ramonage');
  await page.getByLabel('Prix unitaire HT, ligne 1').fill('80');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('button', { name: 'Émettre' }).click();
  await expect(page.getByText('Pièce émise.')).toBeVisible();

  // The second one: «Doublon possible» while typing, and one may continue.
  await newContact(page, 'Lagrange Vernet', 'Aurelien');
  const warning = page.getByRole('region', { name: 'Doublon possible' });
  await expect(warning).toBeVisible();
  await expect(warning.getByRole('link', { name: /LAGRANGE-VERNET Aurélien/ })).toBeVisible();
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Contact créé.')).toBeVisible();
  // A devis on the second record.
  await page.getByRole('link', { name: 'Porte doc' }).click();
  await page.getByRole('link', { name: 'Nouveau devis' }).click();
  await page.getByLabel('Désignation, ligne 1').fill('Devis pompe à chaleur');
  await page.getByLabel('Prix unitaire HT, ligne 1').fill('9500');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByText('Pièce enregistrée.')).toBeVisible();
  // And an action on the second record.
  await page.getByRole('link', { name: /Porte doc de/ }).click();
  await page.getByRole('navigation', { name: 'Onglets du contact' }).getByRole('link', { name: 'Actions' }).click();
  const form = page.getByRole('form', { name: 'Nouvelle action' });
  await form.getByLabel("Date d'alerte").fill('2026-12-15');
  await form.getByLabel("Type d'action").selectOption({ label: 'A faire' });
  await form.getByLabel('Note').fill('Visite technique pompe à chaleur');
  await form.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Action créée.')).toBeVisible();

  // «Clients» › «Doublons» › «Lancer l'analyse» › «Fusionner».
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Clients' }).click();
  await page.getByRole('link', { name: 'Doublons' }).click();
  await page.getByRole('button', { name: "Lancer l'analyse" }).click();
  const row = page.getByRole('row', { name: /LAGRANGE-VERNET Aurélien.*LAGRANGE VERNET Aurelien/ });
  await expect(row).toBeVisible({ timeout: 15_000 });
  await row.getByRole('link', { name: 'Fusionner' }).click();
  await expect(page.getByRole('heading', { name: 'Fusionner deux contacts' })).toBeVisible();
  await page.getByRole('button', { name: 'Fusionner' }).click();
  await expect(page.getByText('Contacts fusionnés.')).toBeVisible();
  expect(page.url().replace(/\?.*$/, '')).toBe(first);

  // One record with both records' documents.
  await page.getByRole('link', { name: 'Porte doc' }).click();
  await expect(page.getByRole('link', { name: /^Facture F-/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Devis (brouillon)', exact: true })).toBeVisible();
  await page.getByRole('navigation', { name: 'Onglets du contact' }).getByRole('link', { name: 'Actions' }).click();
  await expect(page.getByRole('table', { name: 'Actions ouvertes' })).toContainText('Visite technique pompe à chaleur');

  // «Annuler la fusion»: each record gets its own back.
  await page.getByRole('link', { name: 'Fiche contact' }).click();
  await page.getByRole('button', { name: 'Annuler la fusion' }).click();
  await expect(page.getByText('Fusion annulée.')).toBeVisible();
  await page.getByRole('link', { name: 'Porte doc' }).click();
  await expect(page.getByRole('link', { name: /^Facture F-/ })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Devis (brouillon)', exact: true })).toHaveCount(0);
  await page.getByRole('navigation', { name: 'Onglets du contact' }).getByRole('link', { name: 'Actions' }).click();
  await expect(page.getByText('Aucune action ouverte.')).toBeVisible();
});
