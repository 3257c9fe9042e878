/**
 * @file Drag-and-drop anywhere on the page: while files are dragged over the window an overlay
 * says where they go; dropping them starts annotation and shows the Photos view.
 */
import { useEffect, useState } from 'react';
import { analyzePhotos } from '../../store/photo-actions.ts';
import { selectTab } from '../../store/ui-slice.ts';
import './DropZone.css';

function hasFiles(e: DragEvent): boolean {
  return Array.from(e.dataTransfer?.types ?? []).includes('Files');
}

/** Window-level drop target with a visual overlay. */
export function DropZone() {
  const [over, setOver] = useState(false);
  useEffect(() => {
    // Counting enter/leave pairs: dragleave fires for every child the pointer crosses.
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth += 1;
      setOver(true);
    };
    const overFn = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const files = Array.from(e.dataTransfer?.files ?? []);
      if (files.length === 0) return;
      selectTab('photos');
      void analyzePhotos(files);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', overFn);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, []);
  return (
    <div className={`drop-overlay${over ? ' drop-overlay--active' : ''}`} aria-hidden="true">
      <p>Drop photos to annotate them on this device</p>
    </div>
  );
}
