package fakealianza

// SyncDir lets tests watch the folder sync after a state file's rename.
var SyncDir = &syncDir
