// Run-time entry of @atrium/kit/subgraph (see index.js): node resolves the subpath through
// the node_modules/@atrium/kit symlink to this file.
module.exports = require('../dist/kit/src/subgraph/index.js');
