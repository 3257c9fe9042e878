/**
 * @file The moving fake webcam of the webcam section, and its frames as pixels: face-api's
 * sample photos filmed by a virtual camera (ffmpeg's zoompan) in three scenes joined by hard
 * cuts — still, hand-held drift, and a fast pan that pushes faces across the frame's edges —
 * what a tracker must survive, made from photos the project already ships.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbImage } from '../../src/shared/image.ts';
import { MOVING_VIDEO, SAMPLES_DIR, TMP } from './paths.ts';

/** Frame size and rate of the moving video. */
export const MOVING_VIDEO_SIZE = { width: 640, height: 480, fps: 15 } as const;

/** One scene: a photo, how long, and ffmpeg zoompan expressions (`on` = output frame number). */
export interface Scene {
  name: string;
  photo: string;
  seconds: number;
  zoom: string;
  x: string;
  y: string;
}

/**
 * A webcam on a desk (still), a hand-held camera (slow drift and zoom, faces stay in view), and a
 * fast pan and zoom that pushes faces across the frame's edges; hard cuts between them.
 */
export const SCENES: readonly Scene[] = [
  { name: 'still', photo: 'sample1.jpg', seconds: 5, zoom: '1.1', x: '(iw-iw/zoom)/2', y: '(ih-ih/zoom)/2' },
  {
    name: 'handheld',
    photo: 'sample2.jpg',
    seconds: 6,
    zoom: '1.12+0.08*cos(on/19)',
    x: '(iw-iw/zoom)/2*(1+0.6*sin(on/13))',
    y: '(ih-ih/zoom)/2*(1+0.3*cos(on/23))',
  },
  {
    name: 'fast',
    photo: 'sample1.jpg',
    seconds: 5,
    zoom: '1.25+0.2*sin(on/11)',
    x: '(iw-iw/zoom)/2+(iw-iw/zoom)/2*sin(on/8)',
    y: '(ih-ih/zoom)/2+(ih-ih/zoom)/2*cos(on/14)',
  },
];

/** Frame ranges [from, to) of the scenes. */
export function sceneFrames(): { name: string; from: number; to: number }[] {
  let at = 0;
  return SCENES.map((s) => {
    const from = at;
    at += s.seconds * MOVING_VIDEO_SIZE.fps;
    return { name: s.name, from, to: at };
  });
}

/** A one-line description for results.json. */
export const MOVING_VIDEO_HOW = `640×480 at 15 fps, ${SCENES.map((s) => `${s.name} ${s.seconds} s (${s.photo})`).join(
  ', ',
)}, hard cuts between scenes; face-api's sample photos filmed by ffmpeg zoompan`;

/** Writes the moving video unless an up-to-date one exists. */
export function ensureMovingVideo(): string {
  mkdirSync(TMP, { recursive: true });
  const { width, height, fps } = MOVING_VIDEO_SIZE;
  const sources = SCENES.map((s) => join(SAMPLES_DIR, s.photo));
  const newer = (file: string) => statSync(MOVING_VIDEO).mtimeMs > statSync(file).mtimeMs;
  if (existsSync(MOVING_VIDEO) && [...sources, fileURLToPath(import.meta.url)].every(newer)) return MOVING_VIDEO;
  const inputs = SCENES.flatMap((s, i) => [
    '-loop',
    '1',
    '-framerate',
    String(fps),
    '-t',
    String(s.seconds),
    '-i',
    sources[i]!,
  ]);
  const chains = SCENES.map(
    (s, i) =>
      `[${i}:v]scale=1280:-2,zoompan=z='${s.zoom}':x='${s.x}':y='${s.y}':d=1:s=${width}x${height}:fps=${fps},setsar=1[s${i}]`,
  );
  const joined = `${SCENES.map((_, i) => `[s${i}]`).join('')}concat=n=${SCENES.length}:v=1[v]`;
  execFileSync(
    'ffmpeg',
    ['-y', '-loglevel', 'error', ...inputs, '-filter_complex', [...chains, joined].join(';')].concat([
      '-map',
      '[v]',
      '-pix_fmt',
      'yuv420p',
      '-r',
      String(fps),
      MOVING_VIDEO,
    ]),
    { stdio: 'inherit' },
  );
  return MOVING_VIDEO;
}

/** Every frame of the moving video as RGB pixels (decoded by ffmpeg, as the fake camera plays it). */
export function movingVideoFrames(file = ensureMovingVideo()): RgbImage[] {
  const { width, height } = MOVING_VIDEO_SIZE;
  const raw = execFileSync('ffmpeg', ['-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-'], {
    maxBuffer: 1024 * 1024 * 1024,
  });
  const per = width * height * 3;
  const frames: RgbImage[] = [];
  for (let at = 0; at + per <= raw.length; at += per) {
    frames.push({ width, height, channels: 3, data: new Uint8Array(raw.buffer, raw.byteOffset + at, per) });
  }
  return frames;
}
