import { Controller, Get, Header, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { createReadStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { Public } from '@app/auth';

const ASSETS = join(__dirname, 'assets');
// Chart.js from our own node_modules: the page must work without any CDN (offline control rooms).
const CHART_JS = join(dirname(require.resolve('chart.js')), 'chart.umd.js');

function file(path: string): StreamableFile {
  return new StreamableFile(createReadStream(path));
}

/**
 * The supervisor dashboard: static files only. The page signs in with POST /auth/login and reads the
 * report endpoints with the supervisor's token, so the files themselves hold nothing to protect.
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
