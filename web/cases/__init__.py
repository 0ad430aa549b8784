"""Cases: the API, the case page, its action dialogs and its history."""
