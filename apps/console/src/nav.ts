import type { Role } from '@app/domain';
import type { RouteRecordRaw } from 'vue-router';

/** A screen in the console's main navigation, for the roles that work in it. */
export interface NavLink {
  readonly to: string;
  readonly label: string;
  readonly roles: readonly Role[];
}

/** A group of screens (a role's pages): its routes under the signed-in layout and its navigation links. */
export interface ConsoleArea {
  readonly routes: RouteRecordRaw[];
  readonly links: readonly NavLink[];
  /** The screen a role starts on, when this area is where that role works. */
  readonly homes?: Partial<Record<Role, string>>;
}
