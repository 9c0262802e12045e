package fakealianza

// SyncDir lets tests watch the folder sync after a state file's rename.
var SyncDir = &syncDir

// Presize and Trimmed let tests check the room a state file's decode gets.
var (
	Presize = presize
	Trimmed = trimmed[int]
)
