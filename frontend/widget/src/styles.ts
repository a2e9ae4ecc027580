/** Lives inside the shadow root: the host page's CSS cannot reach it, and it cannot reach the page. */
export const styles = `
:host { all: initial; }
* { box-sizing: border-box; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.root { position: fixed; bottom: 20px; right: 20px; z-index: 2147483000; color: #111827; font-size: 14px; line-height: 1.4; }
.root.left { right: auto; left: 20px; }
button { font: inherit; cursor: pointer; }
button:focus-visible, textarea:focus-visible, input:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
.launcher { width: 56px; height: 56px; border-radius: 50%; border: 0; background: var(--accent); color: #fff; box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; }
.badge { position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 5px; border-radius: 10px; background: #dc2626; color: #fff; font-size: 12px; font-weight: 700; display: grid; place-items: center; }
.badge[hidden] { display: none; }
.launcher { position: relative; }
.launcher svg { width: 26px; height: 26px; fill: currentColor; }
.panel { position: absolute; bottom: 70px; right: 0; width: min(360px, calc(100vw - 40px)); height: min(520px, calc(100vh - 110px)); background: #fff; border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); display: flex; flex-direction: column; overflow: hidden; }
.left .panel { right: auto; left: 0; }
.panel[hidden] { display: none; }
.head { background: var(--accent); color: #fff; padding: 12px 14px; display: flex; align-items: center; justify-content: space-between; gap: 8px; }
.head h2 { margin: 0; font-size: 15px; font-weight: 600; }
.head button { background: transparent; border: 0; color: #fff; font-size: 20px; line-height: 1; padding: 4px 8px; border-radius: 6px; }
.log { flex: 1; overflow-y: auto; padding: 12px; display: flex; flex-direction: column; gap: 8px; background: #f9fafb; margin: 0; list-style: none; }
.msg { max-width: 80%; padding: 8px 10px; border-radius: 10px; white-space: pre-wrap; word-wrap: break-word; }
.msg.agent { align-self: flex-start; background: #fff; border: 1px solid #e5e7eb; }
.msg.visitor { align-self: flex-end; background: var(--accent); color: #fff; }
.msg.pending { opacity: .6; }
.msg.failed { outline: 2px solid #dc2626; }
.who { display: block; font-size: 12px; font-weight: 600; color: #4b5563; margin-bottom: 2px; }
.visitor .who { color: #e5e7eb; }
.file { display: block; font-size: 12px; }
.note { padding: 8px 12px; font-size: 13px; background: #fef3c7; color: #78350f; }
.note form { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 6px; }
.note input { flex: 1 1 120px; padding: 6px 8px; border: 1px solid #d1d5db; border-radius: 6px; font: inherit; }
.note button { padding: 6px 10px; border: 0; border-radius: 6px; background: #78350f; color: #fff; }
.typing { min-height: 20px; padding: 0 12px; font-size: 12px; color: #6b7280; }
.compose { display: flex; gap: 8px; padding: 10px; border-top: 1px solid #e5e7eb; }
.compose textarea { flex: 1; resize: none; height: 40px; padding: 8px; border: 1px solid #d1d5db; border-radius: 8px; font: inherit; }
.compose button { border: 0; border-radius: 8px; background: var(--accent); color: #fff; padding: 0 14px; }
.attach { background: transparent !important; color: #4b5563 !important; border: 1px solid #d1d5db !important; padding: 0 10px !important; font-size: 18px; }
.msg img { display: block; max-width: 100%; max-height: 200px; border-radius: 6px; margin-top: 4px; }
.error { padding: 4px 12px; font-size: 12px; color: #b91c1c; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
`;
