using System.Runtime.CompilerServices;

// FileSystemMediaStore's write-failure hook (FileSystemMediaStore.AfterChunkWritten) for the media store tests.
[assembly: InternalsVisibleTo("Ingestion.Tests")]
