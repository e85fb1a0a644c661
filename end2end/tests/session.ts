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
