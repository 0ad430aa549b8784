"""The shared kit of every web package: rendering, dependencies, errors, CSRF, i18n, limits."""
