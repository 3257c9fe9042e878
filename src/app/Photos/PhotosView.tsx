/**
 * @file The Photos view: file picker, batch progress, and the gallery of annotated results and
 * error cards (newest first). Dropping anywhere on the page also lands here (DropZone).
 */
import { useRef } from 'react';
import { analyzePhotos } from '../../store/photo-actions.ts';
import { photosCleared } from '../../store/photos-slice.ts';
import { useAppStore } from '../../store/use-app-store.ts';
import { FeaturePicker } from '../FeaturePicker/FeaturePicker.tsx';
import { BatchProgress } from './BatchProgress.tsx';
import { PhotoCard } from './PhotoCard.tsx';
import './Photos.css';

/** Props: how to switch to the camera from the empty state. */
export interface PhotosViewProps {
  onStartCamera(): void;
}

/** The Photos panel content. */
export function PhotosView({ onStartCamera }: PhotosViewProps) {
  const items = useAppStore((s) => s.photos.items);
  const inputRef = useRef<HTMLInputElement>(null);
  return (
    <div className="photos">
      <div className="toolbar">
        <button type="button" className="button button--primary" onClick={() => inputRef.current?.click()}>
          Choose photos…
        </button>
        <input
          ref={inputRef}
          id="photo-input"
          data-testid="photo-input"
          className="sr-only"
          type="file"
          accept="image/*"
          multiple
          tabIndex={-1}
          aria-label="Choose photos to annotate"
          onChange={(e) => {
            const files = Array.from(e.currentTarget.files ?? []);
            e.currentTarget.value = '';
            if (files.length) void analyzePhotos(files);
          }}
        />
        {items.length > 0 && (
          <button type="button" className="button" onClick={photosCleared}>
            Clear results
          </button>
        )}
        <FeaturePicker />
        <BatchProgress />
      </div>
      {items.length === 0 ? (
        <div className="empty">
          <svg className="empty__icon" viewBox="0 0 48 48" aria-hidden="true">
            <path d="M8 16V8h8M40 16V8h-8M8 32v8h8M40 32v8h-8" fill="none" stroke="currentColor" strokeWidth="3" />
            <circle cx="24" cy="23" r="8" fill="none" stroke="currentColor" strokeWidth="3" />
          </svg>
          <h2 className="empty__title">Drop photos anywhere, or start the camera</h2>
          <p className="empty__text">
            The features you choose above (faces with age, gender and expression, and more) are found and labelled by
            models running in this browser tab. Nothing leaves your device.
          </p>
          <div className="empty__actions">
            <button type="button" className="button button--primary" onClick={() => inputRef.current?.click()}>
              Choose photos…
            </button>
            <button type="button" className="button" onClick={onStartCamera}>
              Start the camera
            </button>
          </div>
        </div>
      ) : (
        <ul className="gallery" aria-label="Annotated photos">
          {items.map((item) => (
            <li key={item.id} className="gallery__item">
              <PhotoCard item={item} />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
