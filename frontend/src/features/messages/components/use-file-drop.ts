import { useState, type DragEvent } from 'react';

/** Drag-and-drop of files onto an element: whether files hover over it, and the handlers to spread on it. */
export function useFileDrop(onFiles: (files: File[]) => void) {
  const [dragging, setDragging] = useState(false);
  const files = (e: DragEvent) => [...e.dataTransfer.files];
  return {
    dragging,
    handlers: {
      onDragOver: (e: DragEvent) => {
        if (!e.dataTransfer.types.includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      },
      onDragLeave: () => setDragging(false),
      onDrop: (e: DragEvent) => {
        if (files(e).length === 0) return;
        e.preventDefault();
        setDragging(false);
        onFiles(files(e));
      },
    },
  };
}
