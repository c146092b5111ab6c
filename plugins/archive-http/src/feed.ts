import type { Recording } from '@flowcast/core';
import { escapeMarkup } from './listing';

/** How many recordings the feed carries, newest first (podcast clients page no further). */
const FEED_ITEMS = 500;

export interface FeedChannel {
  title: string;
  /** Absolute URL of the archive's mount, without a trailing slash. */
  base: string;
}

/**
 * A podcast feed (RSS 2.0 with the iTunes tags podcast clients read) of the closed recordings,
 * newest first, each an enclosure. Every value is escaped for XML; names and URLs are
 * percent-encoded first.
 */
export function podcastFeed(channel: FeedChannel, recordings: readonly Recording[]): string {
  const items = recordings
    .filter((r) => r.closed && r.end !== undefined)
    .slice(-FEED_ITEMS)
    .reverse()
    .map((r) => {
      const url = `${channel.base}/${encodeURIComponent(r.file)}`;
      const title = `${channel.title}: ${new Date(r.start).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
      return `    <item>
      <title>${escapeMarkup(title)}</title>
      <guid isPermaLink="false">${escapeMarkup(r.file)}</guid>
      <pubDate>${new Date(r.end!).toUTCString()}</pubDate>
      <enclosure url="${escapeMarkup(url)}" length="${r.size ?? 0}" type="audio/ogg"/>
      <itunes:duration>${Math.round((r.end! - r.start) / 1000)}</itunes:duration>
    </item>`;
    });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
  <channel>
    <title>${escapeMarkup(channel.title)}</title>
    <link>${escapeMarkup(channel.base)}</link>
    <description>${escapeMarkup(`Recordings of ${channel.title}`)}</description>
${items.join('\n')}
  </channel>
</rss>
`;
}
