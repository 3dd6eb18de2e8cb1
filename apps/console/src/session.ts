import { reactive } from 'vue';
import type { Role } from '@app/domain';

export interface SignedInUser {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
  readonly companyId: string | null;
  readonly displayName?: string | null;
  readonly mustChangePassword?: boolean;
}

const TOKEN = 'hotline.token';

/**
 * Who is signed in. The token lives in sessionStorage (one tab, gone when it closes: a shared desk keeps no
 * one signed in); the user is read back from GET /auth/me after a reload.
 */
export const session = reactive({
  token: sessionStorage.getItem(TOKEN) as string | null,
  user: null as SignedInUser | null,
  /** Why the user was signed out, shown once on the sign-in page. */
  notice: null as string | null,
  signIn(token: string, user: SignedInUser): void {
    this.token = token;
    this.user = user;
    this.notice = null;
    sessionStorage.setItem(TOKEN, token);
  },
  signOut(notice: string | null = null): void {
    this.token = null;
    this.user = null;
    this.notice = notice;
    sessionStorage.removeItem(TOKEN);
    if (!location.hash.startsWith('#/login')) location.hash = '#/login';
  },
});
