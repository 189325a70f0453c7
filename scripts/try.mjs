// `npm run try`: a real VS Code (code-server 4.100.3 on 127.0.0.1) with this extension loaded
// from the working tree, on a copy of samples/workspace. Prints the address; Ctrl+C stops it.
import path from 'node:path';
import { root, ensureTools, freePort, prepareState, startCodeServer, copySampleWorkspace } from './e2e/codeServer.mjs';

ensureTools();
const port = Number(process.env.PORT) || (await freePort());
const s = prepareState('try', { port });
const workspace = copySampleWorkspace(s);
const log = path.join(s.state, 'code-server.log');
const server = await startCodeServer(s, { logFile: log });
// The workbench loads an extension in development from the `payload` query (no install needed).
const payload = JSON.stringify([['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${port}${root}`]]);
const url = `${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`;
console.log(
  `\nFew-Shot Labeler is running in code-server (log: ${log}).\nOpen this address in a browser on this machine:\n\n  ` +
    `${url}\n\nThen open support-tickets.txt, put the cursor on a line and run ` +
    `"Few-Shot: Label Line As..." (Ctrl+Alt+L).\nPress Ctrl+C to stop.\n`,
);
const stop = () => {
  server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => {
  console.log(`code-server exited (${code})`);
  process.exit(code ?? 1);
});
