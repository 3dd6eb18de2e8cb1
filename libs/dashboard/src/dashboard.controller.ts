import { Controller, Get, HttpStatus, Query, Redirect } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '@app/auth';

/** Where the supervisor dashboard lives now: a page of the work console (hash history). */
export const DASHBOARD_PAGE = '/#/dashboard';

/**
 * The address `/dashboard` that supervisors bookmarked and wall screens open: the dashboard is now a page
 * of the work console, so this answers a redirect (302) to it. A redirect rather than serving the console's
 * index.html here: the console routes by the URL's hash, so index.html at `/dashboard` would open the home
 * screen, not the dashboard, and the console would have two addresses. The old page's `?refresh=N`
 * (seconds between refreshes) is carried over.
 */
@ApiExcludeController() // a web page, not part of the JSON API
@Public()
@Controller('dashboard')
export class DashboardController {
  @Get()
  @Redirect(DASHBOARD_PAGE, HttpStatus.FOUND)
  page(@Query('refresh') refresh?: unknown): { url: string } {
    const seconds = typeof refresh === 'string' && /^\d{1,5}$/.test(refresh) ? Number(refresh) : 0;
    return { url: seconds > 0 ? `${DASHBOARD_PAGE}?refresh=${seconds}` : DASHBOARD_PAGE };
  }
}
