import { Controller, Get, Header, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { PERMISSIONS, Public } from '@app/auth';
import {
  CALENDAR_ZONE,
  CATEGORIES,
  CATEGORY_DEFAULTS,
  DISTRICT_NAMES_ZH,
  ESCALATION_LEVEL_NAMES_ZH,
  ROLE_NAMES_ZH,
  STAGE_NAMES_ZH,
  TICKET_STATUS_NAMES_ZH,
} from '@app/domain';

const ASSETS = join(__dirname, 'assets');
// Chart.js from our own node_modules: the page must work without any CDN (offline control rooms).
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.js');

/**
 * What the page shows instead of codes, and which roles may read each report it calls (for its 403
 * message), taken from the domain and the access policy so the page holds no copy of either.
 */
export const DASHBOARD_LABELS = {
  calendarZone: CALENDAR_ZONE,
  districts: DISTRICT_NAMES_ZH,
  stages: STAGE_NAMES_ZH,
  statuses: TICKET_STATUS_NAMES_ZH,
  levels: ESCALATION_LEVEL_NAMES_ZH,
  categories: Object.fromEntries(CATEGORIES.map((category) => [category, CATEGORY_DEFAULTS[category].nameZh])),
  roles: ROLE_NAMES_ZH,
  permissions: {
    'reports.overdue': PERMISSIONS['reports.overdue'],
    'reports.performance': PERMISSIONS['reports.performance'],
    'escalations.read': PERMISSIONS['escalations.read'],
    'tickets.read': PERMISSIONS['tickets.read'],
    'extensions.decide': PERMISSIONS['extensions.decide'],
  },
} as const;

/** labels.js: a script the page loads before dashboard.js. */
export const LABELS_SCRIPT = `window.HOTLINE_LABELS = ${JSON.stringify(DASHBOARD_LABELS)};\n`;

function file(path: string): StreamableFile {
  return new StreamableFile(createReadStream(path));
}

/**
 * The supervisor dashboard: static files and the labels script only. The page signs in with POST
 * /auth/login and reads the report endpoints with the user's token, so the files hold nothing to protect.
 */
@ApiExcludeController() // a web page, not part of the JSON API
@Public()
@Controller('dashboard')
export class DashboardController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): StreamableFile {
    return file(join(ASSETS, 'dashboard.html'));
  }

  @Get('dashboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): StreamableFile {
    return file(join(ASSETS, 'dashboard.js'));
  }

  @Get('labels.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  labels(): string {
    return LABELS_SCRIPT;
  }

  @Get('dashboard.css')
  @Header('Content-Type', 'text/css; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  styles(): StreamableFile {
    return file(join(ASSETS, 'dashboard.css'));
  }

  @Get('chart.umd.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=86400')
  chartJs(): StreamableFile {
    return file(CHART_JS);
  }
}
