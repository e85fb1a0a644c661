import { test, expect, Page } from '@playwright/test';
import { login } from './session';

async function searchFor(page: Page, q: string) {
  const box = page.getByRole('combobox', { name: 'Rechercher' });
  await box.fill('');
  await box.pressSequentially(q);
  return page.getByRole('listbox', { name: 'Résultats de la recherche' });
}

test('create, find as you type, trash, find in the Corbeille, restore, find again', async ({ page }) => {
  await login(page);
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Clients' }).click();
  await page.getByRole('link', { name: 'Nouveau contact' }).click();
  await page.getByLabel('Civilité').selectOption('M.');
  await page.getByLabel('Nom', { exact: true }).fill('Pavière');
  await page.getByLabel('Prénom').fill('Robert');
  await page.getByLabel('Code postal').fill('42000');
  await page.getByLabel('Ville').fill('Saint-Étienne');
  await page.getByLabel('Téléphone', { exact: true }).fill('0612345678');
  await page.getByLabel('E-mail').fill('robert@exemple');
  await page.getByRole('button', { name: 'Valider' }).click();
  // A bad e-mail: French message beside the field, what was typed is kept.
  await expect(page.getByText(/n'est pas une adresse e-mail valide/)).toBeVisible();
  await expect(page.getByLabel('Nom', { exact: true })).toHaveValue('Pavière');
  await page.getByLabel('E-mail').fill('robert.paviere@orange.fr');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByRole('heading', { name: 'PAVIÈRE Robert' })).toBeVisible();
  await expect(page.getByText('06 12 34 56 78')).toBeVisible();

  // «/» focuses the box; results come as you type; Enter opens the record.
  await page.getByRole('heading', { name: 'PAVIÈRE Robert' }).click();
  await expect(async () => {
    await page.keyboard.press('/');
    await expect(page.getByRole('combobox', { name: 'Rechercher' })).toBeFocused({ timeout: 300 });
  }).toPass();
  let results = await searchFor(page, 'paviere rob');
  await expect(results.getByRole('option', { name: /PAVIÈRE Robert/ })).toBeVisible();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/clients\/\d+$/);

  // Trash him: «Fiche contact» › «Modifier» › «Statut» › «Valider».
  await page.getByRole('link', { name: 'Modifier' }).click();
  await page.getByLabel('Statut').selectOption('corbeille');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Fiche contact enregistrée.')).toBeVisible();
  await expect(page.getByRole('row', { name: /Client.*Corbeille/ })).toBeVisible();
  results = await searchFor(page, 'paviere rob');
  await expect(results.getByText('Aucun contact trouvé.')).toBeVisible();

  // «Clients» › «Corbeille», filtered as you type (Ctrl+F focuses the filter).
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Clients' }).click();
  await page.getByRole('navigation', { name: 'Bases' }).getByRole('link', { name: 'Corbeille' }).click();
  // (once the page's island has hydrated)
  await expect(async () => {
    await page.keyboard.press('Control+f');
    await expect(page.getByLabel('Filtrer')).toBeFocused({ timeout: 300 });
  }).toPass();
  await page.keyboard.type('pavi');
  await expect(page.getByText('1 contact', { exact: true })).toBeVisible();
  await page.getByRole('link', { name: /PAVIÈRE Robert/ }).click();

  // Restore him.
  await page.getByRole('link', { name: 'Modifier' }).click();
  await page.getByLabel('Statut').selectOption('client');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Fiche contact enregistrée.')).toBeVisible();
  results = await searchFor(page, 'Pavierre');
  await expect(results.getByRole('option', { name: /PAVIÈRE Robert/ })).toBeVisible();
});

test('the results page works without JavaScript', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await login(page);
  await page.getByRole('combobox', { name: 'Rechercher' }).fill('paviere');
  await page.getByRole('combobox', { name: 'Rechercher' }).press('Enter');
  await expect(page.getByRole('heading', { name: 'Recherche' })).toBeVisible();
  await expect(page.getByRole('link', { name: /PAVIÈRE Robert/ })).toBeVisible();
  await context.close();
});
