import { test, expect, Page } from '@playwright/test';
import { login, loginAs } from './session';

const PASSWORD = 'Equipe-Actions-2026!';

async function newUser(page: Page, name: string, email: string) {
  await page.goto('/parametres/utilisateurs/nouveau');
  await page.getByLabel('Nom').fill(name);
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(PASSWORD);
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Utilisateur créé.')).toBeVisible();
}

test('actions: a type with its responses, an action assigned and shared, seen and closed by the assignee', async ({ page }) => {
  await login(page);
  await newUser(page, 'Marc Assigné', 'marc.actions@e2e.fr');
  await newUser(page, 'Inès Informée', 'ines.actions@e2e.fr');

  // «Paramètres» › «Actions» › «Ajouter»: «A relancer», then its responses.
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Paramètres' }).click();
  await page.getByRole('link', { name: 'Actions', exact: true }).click();
  await page.getByLabel("Type d'action").fill('A relancer');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Enregistré.')).toBeVisible();
  const card = page.getByRole('article', { name: 'Type A relancer' });
  for (const r of ['Rappeler', 'Pas intéressé']) {
    await card.getByLabel('Nouvelle réponse pour A relancer').fill(r);
    await card.getByRole('button', { name: 'Ajouter une réponse' }).click();
    await expect(page.getByRole('article', { name: 'Type A relancer' }).getByRole('listitem').filter({ hasText: r })).toBeVisible();
  }

  // A client, and on it «Actions»: tomorrow, «A relancer», assigned to Marc, shared with Inès.
  await page.goto('/clients/nouveau');
  await page.getByLabel('Nom', { exact: true }).fill('Garnier');
  await page.getByLabel('Prénom').fill('Louise');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Contact créé.')).toBeVisible();
  await page.getByRole('navigation', { name: 'Onglets du contact' }).getByRole('link', { name: 'Actions' }).click();
  // Tomorrow in Paris, as the app counts days (in UTC it is Paris's today from 23:00 or 22:00).
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Paris' });
  const form = page.getByRole('form', { name: 'Nouvelle action' });
  await form.getByLabel("Date d'alerte").fill(tomorrow);
  await form.getByLabel("Type d'action").selectOption({ label: 'A relancer' });
  await form.getByLabel('Note').fill('Rappeler pour le contrat d’entretien');
  await form.getByLabel('Attribuer').check();
  await form.getByLabel('Collaborateur').selectOption({ label: 'Marc Assigné' });
  await form.getByLabel('Partager').check();
  await form.getByLabel('Inès Informée').check();
  await form.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Action créée.')).toBeVisible();
  await expect(page.getByRole('table', { name: 'Actions ouvertes' })).toContainText('attribuée à Marc Assigné ; partagée avec Inès Informée');

  // The assignee sees it in «Mes actions» (upcoming) and closes it with «Rappeler».
  await page.getByRole('button', { name: 'Déconnexion' }).click();
  await loginAs(page, 'marc.actions@e2e.fr', PASSWORD);
  await expect(page.getByRole('region', { name: 'Mes actions' })).toContainText('1 à venir');
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Mes actions' }).click();
  const upcoming = page.getByRole('table', { name: 'À venir' });
  await expect(upcoming).toContainText('GARNIER Louise');
  await upcoming.getByRole('link', { name: 'A relancer' }).click();
  const close = page.getByRole('form', { name: "Clore l'action" });
  await close.getByLabel('Rappeler').check();
  await close.getByLabel('Commentaire (facultatif)').fill('Rendez-vous pris');
  await close.getByRole('button', { name: 'Clore' }).click();
  await expect(page.getByText('Action close.')).toBeVisible();
  await expect(page.locator('.action-status')).toHaveText('Close : Rappeler');
});
