"""The committed default models, shipped as package data of ``foreign_desk.models`` (one folder per model)."""
