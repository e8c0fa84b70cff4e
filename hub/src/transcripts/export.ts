import type { TranscriptJson } from '@showwire/protocol';

/** One final transcript line as the exports see it. */
export type ExportLine = TranscriptJson['lines'][number];

/** How long a cue stays up at most, and at least (a line followed at once by the next still shows). */
const MAX_CUE_SECONDS = 8;
const MIN_CUE_SECONDS = 0.5;

/** Who spoke: the participant's name, else the role (the user of a show's agent is its host). */
export const speakerOf = (role: 'user' | 'agent', participant?: string) => participant ?? (role === 'agent' ? 'Agent' : 'Host');

/** `HH:MM:SS.mmm` (VTT) or `HH:MM:SS,mmm` (SRT). */
function clock(seconds: number, sep: '.' | ','): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}${sep}${pad(ms % 1000, 3)}`;
}

/** A cue runs from its line until the next line starts, within the bounds above. */
function cueEnd(lines: readonly ExportLine[], i: number): number {
  const at = lines[i]!.at;
  const next = lines[i + 1]?.at ?? Infinity;
  return Math.max(at + MIN_CUE_SECONDS, Math.min(next, at + MAX_CUE_SECONDS));
}

/** WebVTT cue text may not hold `-->`, `<` or `&` unescaped; nor may a voice tag's name hold `>`. */
const vttEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Blank lines end a cue in both subtitle formats. */
const oneParagraph = (s: string) => s.replace(/\r\n?|\n/g, '\n').replace(/\n\s*\n/g, '\n').trim();

export function toVtt(lines: readonly ExportLine[]): string {
  const cues = lines.map(
    (l, i) => `${i + 1}\n${clock(l.at, '.')} --> ${clock(cueEnd(lines, i), '.')}\n<v ${vttEscape(l.speaker)}>${vttEscape(oneParagraph(l.text))}`,
  );
  return ['WEBVTT', ...cues].join('\n\n') + '\n';
}

export function toSrt(lines: readonly ExportLine[]): string {
  return lines.map((l, i) => `${i + 1}\n${clock(l.at, ',')} --> ${clock(cueEnd(lines, i), ',')}\n${l.speaker}: ${oneParagraph(l.text)}\n`).join('\n');
}

export function toTxt(lines: readonly ExportLine[]): string {
  return lines.map((l) => `[${clock(l.at, '.').slice(0, 8)}] ${l.speaker}: ${l.text}\n`).join('');
}
