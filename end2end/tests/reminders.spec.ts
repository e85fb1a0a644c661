import { test, expect } from '@playwright/test';
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { SINK_DIR } from '../playwright.config';
import { fillCompany, login } from './session';

/** The mails the SMTP sink received for `to`, as text. */
async function mailsTo(to: string, atLeast: number): Promise<string[]> {
  for (let i = 0; i < 100; i++) {
    const files = fs.existsSync(SINK_DIR) ? fs.readdirSync(SINK_DIR).filter((f) => f.endsWith('.eml')) : [];
    const found = files.map((f) => fs.readFileSync(path.join(SINK_DIR, f), 'latin1')).filter((m) => m.includes(`To: ${to}`));
    if (found.length >= atLeast) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

test('reminders: R1 by e-mail reaches the client with the PDFs, once; a MED letter is a formal notice with penalties', async ({ page }) => {
  await login(page);
  await fillCompany(page);
  // A business client with an overdue facture.
  await page.goto('/clients/nouveau');
  await page.getByLabel('Professionnel').check();
  await page.getByLabel('Nom', { exact: true }).fill('Rivière');
  await page.getByLabel('Société').fill('Rivière Bâtiment');
  await page.getByLabel('E-mail').fill('compta@riviere.test');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Contact créé.')).toBeVisible();
  await page.getByRole('link', { name: 'Porte doc' }).click();
  await page.getByRole('link', { name: 'Nouvelle facture' }).click();
  await page.getByLabel('Date', { exact: true }).fill('2026-09-01');
  await page.getByLabel('Échéance').fill('2026-10-01');
  await page.getByLabel('Désignation, ligne 1').fill('Remplacement chaudière');
  await page.getByLabel('Prix unitaire HT, ligne 1').fill('2500');
  await page.getByRole('button', { name: 'Enregistrer' }).click();
  await page.getByRole('button', { name: 'Émettre' }).click();
  await expect(page.getByText('Pièce émise.')).toBeVisible();

  // «Gestion commerciale» › «Relance factures clients»: comment, «Envoyer un email», «R1».
  await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Gestion commerciale' }).click();
  await page.getByRole('link', { name: 'Relance factures clients' }).click();
  const card = page.getByRole('article', { name: 'Client RIVIÈRE' });
  await expect(card.getByRole('table')).toContainText('F-2026-');
  await card.getByLabel('Commentaire').fill('Relance demandée par le gérant');
  await card.getByLabel('Envoyer un email').check();
  await card.getByRole('button', { name: 'R1', exact: true }).click();
  await expect(page.getByText('Relance R1 faite.')).toBeVisible();

  // The mail reaches the sink, with the reminder and the invoice as PDFs.
  const mails = await mailsTo('compta@riviere.test', 1);
  expect(mails.length).toBe(1);
  expect(mails[0]).toContain('relance-R1-');
  expect(mails[0]).toMatch(/F-2026-\d{5}\.pdf/);
  expect(mails[0]).toContain('application/pdf');

  // «R1» again for the same invoice is refused.
  const again = page.getByRole('article', { name: 'Client RIVIÈRE' });
  await again.getByRole('button', { name: 'R1', exact: true }).click();
  await expect(page.getByRole('article', { name: 'Client RIVIÈRE' }).getByRole('alert')).toContainText('La relance R1 a déjà été faite');

  // «MED» straight after R1: confirmed, printed.
  const med = page.getByRole('article', { name: 'Client RIVIÈRE' });
  await med.getByLabel('Confirmer le passage à un niveau sans les précédents').check();
  await med.getByRole('button', { name: 'MED', exact: true }).click();
  await expect(page.getByText('Relance MED faite.')).toBeVisible();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Imprimer' }).click()]);
  const file = await download.path();
  const text = execFileSync('pdftotext', ['-layout', file, '-']).toString().replace(/\s+/g, ' ');
  expect(text).toContain('MISE EN DEMEURE');
  expect(text).toMatch(/Pénalités de retard au taux de [\d,]+ % l'an : [\d  ,]+€/);
  expect(text).toContain('Indemnité forfaitaire pour frais de recouvrement : 40,00');

  // «Porte doc» › «Relances» lists both, the e-mail with its delivery state.
  await page.getByRole('article', { name: 'Client RIVIÈRE' }).getByRole('link', { name: 'RIVIÈRE', exact: true }).click();
  const table = page.getByRole('table', { name: 'Relances du client' });
  await expect(table).toContainText('MED');
  await expect(table).toContainText('Relance demandée par le gérant');
  await expect(table.getByRole('row').filter({ hasText: 'E-mail' })).toContainText('Envoyé');
});
