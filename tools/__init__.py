"""Developer tools: the seed-document parser and the resource-module generator."""
