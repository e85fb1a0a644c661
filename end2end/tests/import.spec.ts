import { test, expect, Page } from '@playwright/test';
import { login } from './session';

const SYL_A = ['Bar', 'Cal', 'Dor', 'Fes', 'Gou', 'Lan', 'Mor', 'Pel', 'Ros', 'Tal', 'Val', 'Ver', 'Bru'];
const SYL_B = ['delin', 'mont', 'ivet', 'sagne', 'ichon', 'ébert', 'oulin', 'astier', 'gnac', 'ouzet', 'enchon', 'illard', 'ardin', 'otte', 'ueil', 'aric'];
const PRENOMS = ['Léa', 'Hugo', 'Chloé', 'Louis', 'Inès', 'Jules', 'Manon', 'Nathan', 'Zoé', 'Arthur'];

/** 200 rows: 195 distinct people (each in a town of their own), then 4 rows repeating
 *  earlier ones (re-typed: case, accents, phone format) and one the base already has. */
function file(): string {
  const rows = ['Civilité;Nom;Prénom;CP;Ville;Tél. portable;E-mail'];
  const people: string[][] = [];
  for (let i = 0; i < 195; i++) {
    const nom = SYL_A[i % 13] + SYL_B[Math.floor(i / 13) % 16];
    const prenom = PRENOMS[i % 10];
    const cp = String(10000 + i * 397).padStart(5, '0');
    const phone = '06 ' + String(10 + Math.floor(i / 100)) + ' ' + String(10 + (i % 90)).padStart(2, '0') + ' 2' + (i % 10) + ' ' + String(40 + (i % 50));
    people.push([i % 2 ? 'Mme' : 'M.', nom, prenom, cp, `Commune ${i}`, phone, `${nom.toLowerCase()}.${i}@exemple.fr`]);
  }
  rows.push(...people.map((p) => p.join(';')));
  for (const i of [3, 50, 120, 180]) {
    const p = people[i];
    rows.push([p[0], p[1].toUpperCase(), p[2], p[3], p[4], p[5].replace(/ /g, ''), ''].join(';'));
  }
  rows.push('Mme;FONTANEL;Berenice;38000;Grenoble;04 76 12 34 56;');
  return '\ufeff' + rows.join('\r\n') + '\r\n';
}

async function searchFor(page: Page, q: string) {
  const box = page.getByRole('combobox', { name: 'Rechercher' });
  await box.fill('');
  await box.pressSequentially(q);
  return page.getByRole('listbox', { name: 'Résultats de la recherche' });
}

test('import a 200-row file: 5 duplicates flagged in the preview, import, find the contacts by search', async ({ page }) => {
  await login(page);
  // A client the base already has.
  await page.goto('/clients/nouveau');
  await page.getByLabel('Nom', { exact: true }).fill('Fontanel');
  await page.getByLabel('Prénom').fill('Bérénice');
  await page.getByLabel('Code postal').fill('38000');
  await page.getByLabel('Ville').fill('Grenoble');
  await page.getByLabel('Téléphone', { exact: true }).fill('0476123456');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Contact créé.')).toBeVisible();

  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Clients' }).click();
  await page.getByRole('navigation', { name: 'Bases' }).getByRole('link', { name: 'Importer' }).click();
  await page.getByLabel('Fichier CSV ou XLSX').setInputFiles({ name: 'clients-ancien-logiciel.csv', mimeType: 'text/csv', buffer: Buffer.from(file(), 'utf8') });
  await page.getByRole('button', { name: 'Envoyer le fichier' }).click();

  // The preview: columns recognised, the counts, the five duplicates with their reason.
  const preview = page.getByRole('form', { name: "Aperçu de l'import" });
  await expect(preview.getByRole('status')).toContainText('200 lignes : 195 nouveaux contacts, 5 doublons probables, 0 lignes invalides.');
  await expect(preview.getByLabel('Champ de la colonne « Tél. portable »')).toHaveValue('telephone');
  await expect(preview.getByLabel('Champ de la colonne « CP »')).toHaveValue('code_postal');
  const duplicates = preview.getByRole('table', { name: 'Doublons probables' });
  await expect(duplicates.locator('tbody tr')).toHaveCount(5);
  await expect(duplicates.getByRole('link', { name: 'FONTANEL Bérénice' })).toBeVisible();
  await expect(duplicates.getByText(/ligne 52 du fichier/)).toBeVisible();
  await expect(duplicates.getByText(/Doublon possible : .*téléphone/).first()).toBeVisible();
  // Nothing is imported yet.
  let results = await searchFor(page, 'calmont');
  await expect(results.getByRole('option')).toHaveCount(0);

  // Import (duplicates: the default, not imported), and follow the progress.
  await preview.getByRole('button', { name: 'Importer', exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Terminé' })).toContainText('200 / 200 lignes : 195 créées, 0 fiches complétées, 5 ignorées, 0 invalides.', { timeout: 20_000 });

  // Found by search at once; the repeated rows were not created twice.
  results = await searchFor(page, 'calmont');
  await expect(results.getByRole('option', { name: /CALMONT Inès/ })).toBeVisible();
  await expect(results.getByRole('option', { name: /CALMONT/ })).toHaveCount(1);
  results = await searchFor(page, 'fontanel');
  await expect(results.getByRole('option', { name: /FONTANEL/ })).toHaveCount(1);
  await page.goto('/clients/importer');
  const history = page.getByRole('region', { name: 'Imports précédents' });
  await expect(history.getByRole('link', { name: 'clients-ancien-logiciel.csv' })).toBeVisible();
  await expect(history.getByRole('row', { name: /clients-ancien-logiciel.csv.*Terminé.*195.*0.*5.*0/ })).toBeVisible();
});
