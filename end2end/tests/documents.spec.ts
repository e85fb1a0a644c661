import { test, expect, Page } from '@playwright/test';
import * as fs from 'fs';
import { execFileSync } from 'child_process';
import { fillCompany, login } from './session';

async function newFacture(page: Page) {
  await page.getByRole('link', { name: 'Porte doc' }).click();
  await page.getByRole('link', { name: 'Nouvelle facture' }).click();
  await page.getByLabel('Désignation, ligne 1').fill('Entretien chaudière gaz');
  await page.getByLabel('Quantité, ligne 1').fill('1');
  await page.getByLabel('Prix unitaire HT, ligne 1').fill('150');
  await page.getByLabel('TVA, ligne 1').selectOption('1000');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
}

test('blocked client: the facture is refused with the reason; unblocked: issued, PDF and files from «Porte doc»', async ({ page }) => {
  await login(page);
  await fillCompany(page);
  await page.goto('/clients/nouveau');
  await page.getByLabel('Nom', { exact: true }).fill('Dumas');
  await page.getByLabel('Société').fill('Dumas Chauffage');
  // Block commercial management with its reason («Fiche contact»).
  await page.getByLabel('Bloquer la gestion commerciale').selectOption('oui');
  await page.getByLabel('Raison du blocage').fill('Impayés de 2025 en contentieux');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Oui — Impayés de 2025 en contentieux')).toBeVisible();

  await newFacture(page);
  await expect(page.getByRole('alert')).toContainText('La gestion commerciale de ce client est bloquée : Impayés de 2025 en contentieux');

  // Unblock, then create and issue the facture.
  await page.goto(page.url().replace(/\/pieces\/nouvelle.*$/, '/modifier'));
  await page.getByLabel('Bloquer la gestion commerciale').selectOption('non');
  await page.getByLabel('Raison du blocage').fill('');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Fiche contact enregistrée.')).toBeVisible();
  await newFacture(page);
  await expect(page.getByText('Pièce enregistrée.')).toBeVisible();
  await expect(page.locator('.ttc')).toContainText('165,00');
  await page.getByRole('button', { name: 'Émettre' }).click();
  await expect(page.getByText('Pièce émise.')).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Facture F-\d{4}-00001$/ })).toBeVisible();

  // «Porte doc»: the PDF, and a file imported then downloaded byte-identical.
  await page.getByRole('link', { name: /Porte doc de/ }).click();
  await expect(page.locator('.encours')).toContainText('165,00');
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Télécharger Facture F-/ }).click()]);
  const pdfBytes = fs.readFileSync(await pdf.path());
  expect(pdfBytes.subarray(0, 4).toString()).toBe('%PDF');

  const original = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 31) % 256));
  await page.getByLabel('Fichier (10 Mo au plus)').setInputFiles({ name: 'relevé chaudière.bin', mimeType: 'application/octet-stream', buffer: original });
  await page.getByRole('button', { name: 'Importer' }).click();
  await expect(page.getByText('Fichier importé.')).toBeVisible();
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger relevé chaudière.bin' }).click()]);
  expect(Buffer.compare(fs.readFileSync(await file.path()), original)).toBe(0);
});

test('«Entreprise» filled in by its labels; an invoice to a professional carries the SIREN of both parties', async ({ page }) => {
  await login(page);
  await fillCompany(page);
  await page.goto('/clients/nouveau');
  await page.getByLabel('Professionnel').check();
  await page.getByLabel('Nom', { exact: true }).fill('Garnier');
  await page.getByLabel('Société').fill('Garnier Bâtiment SAS');
  await page.getByLabel('SIREN', { exact: true }).fill('552 100 554');
  await page.getByLabel('N° TVA intracommunautaire').fill('FR96552100554');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Contact créé.')).toBeVisible();
  await page.getByRole('link', { name: 'Porte doc' }).click();
  await page.getByRole('link', { name: 'Nouvelle facture' }).click();
  await page.getByLabel('Désignation, ligne 1').fill('Installation pompe à chaleur');
  await page.getByLabel('Prix unitaire HT, ligne 1').fill('8000');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('button', { name: 'Émettre' }).click();
  await expect(page.getByText('Pièce émise.')).toBeVisible();
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger le PDF' }).click()]);
  const text = execFileSync('pdftotext', [await pdf.path(), '-']).toString();
  expect(text).toContain('SIREN 443 061 841');
  expect(text).toContain('SIREN du client : 552 100 554');
});
