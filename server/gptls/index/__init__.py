"""The workspace index and the project context built from it, below the faces: the language server builds one
per workspace folder in the background, ``gptls run`` one for the project root."""

from gptls.index.project_context import Quoted, file_context, project_context
from gptls.index.workspace import IndexLimits, WorkspaceIndex

__all__ = ["IndexLimits", "Quoted", "WorkspaceIndex", "file_context", "project_context"]
