import { expect, Page } from '@playwright/test';
import { ADMIN } from '../playwright.config';

/** Fills and posts «Connexion» (the outcome is the caller's to check). */
export async function loginAs(page: Page, email: string, password: string) {
  await page.goto('/connexion');
  await page.getByLabel('Adresse e-mail').fill(email);
  await page.getByLabel('Mot de passe').fill(password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
}

/** Signs the administrator in and waits for «Tableau de bord». */
export async function login(page: Page) {
  await loginAs(page, ADMIN.email, ADMIN.password);
  await expect(page.getByRole('heading', { name: 'Tableau de bord' })).toBeVisible();
}

/** «Paramètres › Entreprise» filled in by its labels, as a real company does before it
 *  issues anything (real-shaped numbers that pass their keys). */
export async function fillCompany(page: Page) {
  await page.goto('/parametres/entreprise');
  const fields: [string, string][] = [
    ['Raison sociale', 'Dupont Chauffage'],
    ['Forme juridique', 'SARL'],
    ['Capital social', '10000'],
    ['SIREN', '443 061 841'],
    ['SIRET', '443 061 841 00047'],
    ["Ville d'immatriculation", 'Lyon'],
    ['N° TVA intracommunautaire', 'FR64443061841'],
    ['Adresse du siège', '3 rue du Port'],
    ['Code postal', '69002'],
    ['Ville', 'Lyon'],
    ['IBAN', 'FR76 3000 6000 0112 3456 7890 189'],
    ['BIC', 'BNPAFRPP'],
    ['Assureur', 'Mutuelle du Bâtiment'],
    ['N° de contrat', 'DEC-2026-4411'],
    ["Adresse de l'assureur", '8 avenue des Assureurs, 69003 Lyon'],
    ['Couverture géographique', 'France métropolitaine'],
    ['Médiateur de la consommation', 'Médiateur du Bâtiment'],
    ['Site du médiateur', 'www.mediateur-batiment.fr'],
  ];
  for (const [label, value] of fields) {
    await page.getByLabel(label, { exact: true }).fill(value);
  }
  await page.getByLabel('Immatriculation', { exact: true }).selectOption('rcs');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await expect(page.getByText('Enregistré.')).toBeVisible();
}
