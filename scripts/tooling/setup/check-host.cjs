// Runs on the HOST's Node before anything is installed (npm "preinstall").
// Plinth pins its own Node 22 runtime through the npm package `node`; the host only needs a Node
// and npm able to install packages. Anything older gets a clear message instead of a stack trace.
"use strict";
const [major] = process.versions.node.split(".").map(Number);
const MIN_HOST_MAJOR = 18;
if (!(major >= MIN_HOST_MAJOR)) {
  console.error(
    `\nPlinth: this host runs Node ${process.versions.node}; installing needs Node >= ${MIN_HOST_MAJOR} (20, 22 or 24 recommended) with npm >= 10.\n` +
      "The project then runs every script on its own pinned Node 22 (npm package `node`).\n" +
      "Install a supported Node (for example from your OS packages or nodejs.org) and run `npm install` again.\n",
  );
  process.exit(1);
}
