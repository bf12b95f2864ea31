/** A file-name-safe slug of a caption: lower-case words joined by '-', at most 48 characters. */
export function captionSlug(caption: string): string {
  const slug = caption
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return slug === '' ? 'image' : slug;
}

/** File name of a generated image: `ratlip-<caption>-seed<seed>-<n>.png` (n counts from 1). */
export function imageFileName(caption: string, seed: number, index: number): string {
  return `ratlip-${captionSlug(caption)}-seed${seed}-${index + 1}.png`;
}

/** Saves a canvas as a PNG file through a temporary object URL. */
export function downloadCanvasPng(canvas: HTMLCanvasElement, fileName: string): Promise<void> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => {
      if (blob === null) {
        reject(new Error(`could not encode ${fileName} as PNG`));
        return;
      }
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = fileName;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      resolve();
    }, 'image/png');
  });
}
