// The lazy start of <rnn-scope loading="lazy"> (the default): an element boots once it comes within MARGIN of the
// viewport, judged against the page's settled layout.
//
// The first IntersectionObserver callback comes while every element is still a placeholder (a few rem high, its
// linked stylesheets not applied yet), so an element far down a page of figures looks near then and would boot at
// load, fetching its model. Instead, an element seen near waits until the stylesheets of every element of the page
// have loaded and the elements that booted have built their panels (a few frames), and boots only if the observer
// still sees it near after that layout. If it has moved away, it waits for the reader to scroll to it.

/** How far outside the viewport an element starts loading. */
export const MARGIN = '300px';

/** @type {Set<Promise<void>>} the stylesheets of the page's elements, each promise settled once they loaded */
const styles = new Set();

/** Note that `promise` settles once an element's stylesheets have loaded (or failed). */
export function noteStyles(promise) {
  styles.add(promise);
  promise.then(() => styles.delete(promise));
}

/** The promise that every `<link rel="stylesheet">` of `links` has loaded or failed. */
export function linksLoaded(links) {
  return Promise.all(
    links.map(
      (link) =>
        new Promise((resolve) => {
          if (link.sheet) resolve();
          link.addEventListener('load', () => resolve(), { once: true });
          link.addEventListener('error', () => resolve(), { once: true });
        }),
    ),
  ).then(() => {});
}

const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));

/** Resolves after the page's element stylesheets have loaded and two frames were laid out with them. */
async function settled() {
  while (styles.size > 0) await Promise.all([...styles]);
  // One frame for the booted elements' panels and styles to be laid out, one for the observer to report on it.
  await frame();
  await frame();
}

/**
 * Calls `boot` once `element` is within MARGIN of the viewport in the settled layout. Answers a function that
 * stops watching (for an element removed, or booted another way).
 * @param {Element} element
 * @param {() => void} boot
 */
export function bootWhenNear(element, boot) {
  let near = false;
  let waiting = false;
  let stopped = false;
  const observer = new IntersectionObserver(
    (entries) => {
      near = entries[entries.length - 1].isIntersecting;
      if (near && !waiting) confirm();
    },
    { rootMargin: MARGIN },
  );
  async function confirm() {
    waiting = true;
    await settled();
    waiting = false;
    if (stopped || !near) return;
    stop();
    boot();
  }
  function stop() {
    stopped = true;
    observer.disconnect();
  }
  observer.observe(element);
  return stop;
}
