import { test, expect, Page } from '@playwright/test';
import { ADMIN } from '../playwright.config';
import { loginAs as login } from './session';

async function logout(page: Page) {
  await page.getByRole('button', { name: 'Déconnexion' }).click();
  await expect(page.getByRole('button', { name: 'Se connecter' })).toBeVisible();
}

test('a wrong password gets a French message beside the field', async ({ page }) => {
  await login(page, ADMIN.email, 'Mauvais-Passe-2026');
  await expect(page.getByText('Adresse e-mail ou mot de passe incorrect.')).toBeVisible();
  await expect(page.getByLabel('Adresse e-mail')).toHaveValue(ADMIN.email);
  await expect(page.getByLabel('Mot de passe')).toHaveAttribute('aria-invalid', 'true');
});

test('users: create with a right, change a password, log out and in again; rights are enforced', async ({ page }) => {
  await login(page, ADMIN.email, ADMIN.password);
  await expect(page.getByRole('heading', { name: 'Tableau de bord' })).toBeVisible();
  const nav = page.getByRole('navigation', { name: 'Navigation principale' });
  await expect(nav.getByRole('link', { name: 'Clients' })).toBeVisible();
  await expect(page.getByRole('combobox', { name: 'Rechercher' })).toBeVisible();

  // «Paramètres» › «Utilisateurs» › new user with one right.
  await nav.getByRole('link', { name: 'Paramètres' }).click();
  await page.getByRole('link', { name: 'Utilisateurs' }).click();
  await page.getByRole('link', { name: 'Nouvel utilisateur' }).click();
  await page.getByLabel('Nom').fill('Léa Roux');
  await page.getByLabel('Adresse e-mail').fill('lea.roux@e2e.fr');
  await page.getByLabel('Signature').fill('Léa Roux\nSecrétariat');
  // The password rule is enforced on the server, in French, and nothing typed is lost.
  await page.getByLabel('Mot de passe').fill('azerty');
  await page.getByLabel('Relances factures clients').check();
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText(/Le mot de passe est trop court/)).toBeVisible();
  await expect(page.getByLabel('Nom')).toHaveValue('Léa Roux');
  await expect(page.getByLabel('Relances factures clients')).toBeChecked();
  await page.getByLabel('Mot de passe').fill('Secretariat-2026!');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Utilisateur créé.')).toBeVisible();
  const row = page.getByRole('row', { name: /lea\.roux@e2e\.fr/ });
  await expect(row).toContainText('Relances factures clients');

  // The administrator changes Léa's password (the field stands under her signature).
  await row.getByRole('link', { name: 'Léa Roux' }).click();
  await page.getByLabel('Mot de passe').fill('Nouveau-Lea-2026!');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Utilisateur enregistré.')).toBeVisible();
  await logout(page);

  // Léa logs in with the new password, changes her own, logs out and in again.
  await login(page, 'lea.roux@e2e.fr', 'Nouveau-Lea-2026!');
  await expect(page.getByRole('heading', { name: 'Tableau de bord' })).toBeVisible();
  await page.getByRole('link', { name: 'Préférences' }).click();
  await page.getByRole('link', { name: 'Changer mon mot de passe' }).click();
  await page.getByLabel('Mot de passe actuel').fill('Nouveau-Lea-2026!');
  await page.getByLabel('Nouveau mot de passe').fill('Lea-Perso-2027!');
  await page.getByLabel('Confirmer le mot de passe').fill('Lea-Perso-2027!');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Mot de passe modifié.')).toBeVisible();
  await logout(page);
  await login(page, 'lea.roux@e2e.fr', 'Nouveau-Lea-2026!');
  await expect(page.getByText('Adresse e-mail ou mot de passe incorrect.')).toBeVisible();
  await login(page, 'lea.roux@e2e.fr', 'Lea-Perso-2027!');
  await expect(page.getByRole('heading', { name: 'Tableau de bord' })).toBeVisible();

  // Without «Paramétrer les comptes utilisateurs», «Utilisateurs» is neither shown nor open.
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Paramètres' }).click();
  await expect(page.getByRole('link', { name: 'Utilisateurs' })).toHaveCount(0);
  const response = await page.goto('/parametres/utilisateurs');
  expect(response?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: 'Accès refusé' })).toBeVisible();
  await expect(page.getByText(/Paramétrer les comptes utilisateurs/)).toBeVisible();
});

test('preferences are kept per user', async ({ page }) => {
  await login(page, ADMIN.email, ADMIN.password);
  await page.getByRole('link', { name: 'Préférences' }).click();
  const archived = page.getByLabel('Afficher les sav archivés');
  const tooltip = page.getByLabel('Afficher les observations en infos bulles');
  await expect(archived).not.toBeChecked();
  await archived.check();
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Préférences enregistrées.')).toBeVisible();
  await expect(archived).toBeChecked();
  await expect(tooltip).not.toBeChecked();
});
