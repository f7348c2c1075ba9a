import { readFileSync } from 'node:fs';
import { assetPath } from '../../gateway/assets';

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/** Files shipped in simulator/console/assets/, the only ones served; read once, kept in memory. */
export const ASSET_FILES = ['console.css', 'console.js', 'phone.js', 'live.js', 'icon.svg'] as const;
export type AssetFile = (typeof ASSET_FILES)[number];

export class ConsoleAssets {
  readonly #cache = new Map<string, string>();

  static isAsset(name: string): name is AssetFile {
    return (ASSET_FILES as readonly string[]).includes(name);
  }

  read(name: string): string {
    let text = this.#cache.get(name);
    if (text === undefined) {
      text = readFileSync(assetPath(`simulator/console/assets/${name}`), 'utf8');
      this.#cache.set(name, text);
    }
    return text;
  }

  type(name: string): string {
    return TYPES[name.slice(name.lastIndexOf('.') + 1)] ?? 'application/octet-stream';
  }

  /** An HTML template with `{{name}}` filled in, each value escaped for HTML. */
  page(name: string, values: Record<string, string>): string {
    return this.read(name).replace(/\{\{(\w+)\}\}/g, (_whole, key: string) => escapeHtml(values[key] ?? ''));
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
