import { Controller, Get, Header, HttpStatus, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { createReadStream, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Public } from '@app/auth';
import { ProblemException } from '@app/http';
import { ASSET_TYPES, consoleDirectory } from './console-files';

/**
 * The work console (apps/console, built by Vite) at `/`: index.html and its hashed assets, from the origin
 * only (no CDN). The files hold nothing to protect: every screen reads the API with the user's token.
 */
@ApiExcludeController() // web pages, not part of the JSON API
@Public()
@Controller()
export class ConsoleController {
  private readonly directory = consoleDirectory();

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  index(): StreamableFile {
    return new StreamableFile(createReadStream(join(this.built(), 'index.html')));
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res({ passthrough: true }) response: Response): StreamableFile {
    const name = basename(file); // no path out of the assets folder
    const type = ASSET_TYPES[name.split('.').pop() ?? ''];
    const path = join(this.built(), 'assets', name);
    if (!type || name !== file || !existsSync(path)) throw new ProblemException(HttpStatus.NOT_FOUND, `No console asset ${file}`);
    response.setHeader('Content-Type', type);
    // Vite puts a content hash in every asset's name: a file never changes under its name.
    response.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    return new StreamableFile(createReadStream(path));
  }

  private built(): string {
    if (!this.directory) {
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'The console is not built: run npm run console:build (npm start and npm test build it themselves)', {
        title: '控制台尚未构建 Console not built',
      });
    }
    return this.directory;
  }
}
