import { test, expect } from '@playwright/test';
import { login } from './session';

test('client «Accueil»: widgets from the server, «Personnaliser» rearranges them without a reload', async ({ page }) => {
  await login(page);
  await page.goto('/clients/nouveau');
  await page.getByLabel('Nom', { exact: true }).fill('Widget');
  await page.getByLabel('Prénom').fill('Wanda');
  await page.getByRole('button', { name: 'Valider' }).click();
  await expect(page.getByText('Contact créé.')).toBeVisible();
  // A SAV with observations, and a service.
  await page.getByRole('navigation', { name: 'Onglets du contact' }).getByRole('link', { name: 'SAV et services' }).click();
  const sav = page.getByRole('form', { name: 'Nouveau SAV' });
  await sav.getByLabel('Titre').fill('Robinet qui goutte');
  await sav.getByLabel('Observations').fill('Changer la cartouche');
  await sav.getByRole('button', { name: 'Créer le SAV' }).click();
  await expect(page.getByText('SAV enregistré.')).toBeVisible();
  const service = page.getByRole('form', { name: 'Nouveau service' });
  await service.getByLabel('Prestation').fill('Entretien adoucisseur');
  await service.getByLabel('Début').fill('2026-06-01');
  await service.getByRole('button', { name: 'Créer le service' }).click();
  await expect(page.getByText('Service enregistré.')).toBeVisible();

  await page.getByRole('navigation', { name: 'Onglets du contact' }).getByRole('link', { name: 'Accueil' }).click();
  await expect(page.getByRole('region', { name: 'SAV', exact: true })).toContainText('Changer la cartouche');
  await expect(page.getByRole('region', { name: 'Services' })).toContainText('Entretien adoucisseur');
  // The island is live once hydrated; mark the page to prove there is no reload.
  await page.waitForFunction(() => document.querySelector('leptos-island') !== null);
  await page.waitForTimeout(500);
  await page.evaluate(() => ((window as any).__same_page = true));
  await page.getByText('Personnaliser').click();
  await page.getByRole('form', { name: 'Personnaliser' }).getByRole('checkbox', { name: 'Services', exact: true }).uncheck();
  await expect(page.getByRole('region', { name: 'Services' })).toBeHidden();
  await page.getByRole('button', { name: 'Monter SAV' }).click();
  await expect.poll(() => page.evaluate(() => [...document.querySelectorAll('#widgets > [data-widget]:not([hidden])')].map((e) => e.getAttribute('data-widget')).slice(0, 3).join(','))).toBe('identite,sav,questions');
  expect(await page.evaluate(() => (window as any).__same_page)).toBe(true);
  // Saved: the server draws the same layout on the next visit.
  await page.reload();
  await expect(page.getByRole('region', { name: 'Services' })).toHaveCount(0);
});
